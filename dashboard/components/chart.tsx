import type { ComponentChildren } from 'preact';

/**
 * A chart.js chart drawn by /static/charts.js from the JSON configuration in its data attribute.
 * The configuration is plain data (no functions), so it is also what browser tests compare with the
 * API. `kermaUnit` in options titles the y axis with the quantity's unit. Pages that show a chart
 * pass CHART_SCRIPTS to <Page scripts>. A chart is an image to a screen reader: its `label` says
 * what it shows, and `children` (a table or sentence of the same figures) is the text alternative.
 */
export interface ChartConfig {
  readonly type: 'line' | 'bar' | 'boxplot' | 'scatter';
  readonly data: { readonly labels?: readonly (string | number)[]; readonly datasets: readonly object[] };
  readonly options?: Record<string, unknown> & { readonly kermaUnit?: string };
}

export function Chart(props: { id: string; label: string; config: ChartConfig; children?: ComponentChildren }) {
  const config = {
    ...props.config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...props.config.options },
  };
  return (
    <figure class="chart" id={props.id}>
      <div class="chart-frame">
        <canvas role="img" aria-label={props.label} data-chart={JSON.stringify(config)} />
      </div>
      {props.children ? <figcaption>{props.children}</figcaption> : null}
    </figure>
  );
}

/** The scripts a page with charts loads, in order: chart.js, its plugins, then the drawing script. */
export const CHART_SCRIPTS = [
  'chart.umd.min.js',
  'chartjs-chart-boxplot.min.js',
  'chartjs-plugin-annotation.min.js',
  'charts.js',
] as const;
