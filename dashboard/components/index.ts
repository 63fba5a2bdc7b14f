// The shared pieces every page is built from.
export { HtmlDocument } from './document.tsx';
export { Page, PublicPage, type PageContext } from './layout.tsx';
export { EmptyState, ErrorState } from './states.tsx';
export { FormField, type FormFieldProps } from './form-field.tsx';
export { Table, type Column, type TableProps } from './table.tsx';
export { Chart, CHART_SCRIPTS, type ChartConfig } from './chart.tsx';
