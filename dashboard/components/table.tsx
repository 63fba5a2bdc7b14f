import type { ComponentChildren } from 'preact';
import { EmptyState } from './states.tsx';

/** One column: its header, the unit shown with it ("DLP (mGy·cm)"), and how a row renders in it. */
export interface Column<Row> {
  readonly header: string;
  readonly unit?: string;
  /** Numbers align right so digits line up. */
  readonly numeric?: boolean;
  readonly cell: (row: Row) => ComponentChildren;
}

export interface TableProps<Row> {
  readonly caption: string;
  readonly columns: readonly Column<Row>[];
  readonly rows: readonly Row[];
  readonly rowKey: (row: Row) => string;
  /** Shown instead of an empty table. */
  readonly empty: { readonly title: string; readonly hint?: string };
}

export function Table<Row>(props: TableProps<Row>) {
  if (props.rows.length === 0) return <EmptyState title={props.empty.title}>{props.empty.hint}</EmptyState>;
  return (
    // A region that may scroll sideways must be reachable by keyboard (WCAG 2.1.1), hence tabIndex.
    <div class="table-wrap" role="region" aria-label={props.caption} tabIndex={0}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" key={column.header} class={column.numeric ? 'num' : undefined}>
                {column.header}
                {column.unit ? <span class="unit"> ({column.unit})</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((column) => (
                <td key={column.header} class={column.numeric ? 'num' : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
