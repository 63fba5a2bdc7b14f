import type { ComponentChildren } from 'preact';
import { EmptyState } from '../components/index.ts';
import { formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { COUNT_CAP } from './service.ts';
import { studyQueryString } from './query.ts';
import type { Cursor, SortKey, StudyPage, StudyQuery, StudyRow } from './types.ts';

const number = (value: number | null, digits: number): string =>
  value === null
    ? '—'
    : value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const SEX = { F: 'F', M: 'M', O: 'Other' } as const;

interface ResultColumn {
  readonly header: string;
  readonly unit?: string;
  readonly numeric?: boolean;
  readonly sort?: SortKey;
  readonly cell: (row: StudyRow, timeZone: string) => ComponentChildren;
}

const COLUMNS: readonly ResultColumn[] = [
  {
    header: 'Study time',
    sort: 'time',
    cell: (r, tz) => (
      <a href={`${PAGES.studies.path}/${r.studyId}`}>
        {r.studyDateTime ? formatDateTime(r.studyDateTime, tz) : 'time unknown'}
      </a>
    ),
  },
  { header: 'Trust', cell: (r) => r.trustCode },
  { header: 'Room', cell: (r) => r.room ?? '—' },
  { header: 'Modality', cell: (r) => r.modality },
  { header: 'Study description', cell: (r) => r.studyDescription ?? '—' },
  { header: 'Age', unit: 'y', numeric: true, cell: (r) => number(r.ageYears, 0) },
  { header: 'Sex', cell: (r) => (r.sex ? SEX[r.sex] : '—') },
  { header: 'Weight', unit: 'kg', numeric: true, cell: (r) => number(r.weightKg, 0) },
  { header: 'Events', numeric: true, sort: 'events', cell: (r) => r.eventCount.toLocaleString('en-GB') },
  { header: 'DLP', unit: 'mGy·cm', numeric: true, sort: 'dlp', cell: (r) => number(r.totalDlpMgyCm, 1) },
  { header: 'Max CTDIvol', unit: 'mGy', numeric: true, cell: (r) => number(r.maxCtdivolMgy, 2) },
  { header: 'DAP', unit: 'Gy·cm²', numeric: true, sort: 'dap', cell: (r) => number(r.totalDapGyCm2, 2) },
  { header: 'Ka,r', unit: 'Gy', numeric: true, sort: 'doseRp', cell: (r) => number(r.totalDoseRpGy, 3) },
];

function href(query: StudyQuery, change: Partial<Pick<StudyQuery, 'sort' | 'after' | 'before'>>): string {
  const qs = studyQueryString({ filters: query.filters, sort: query.sort, limit: query.limit, ...change });
  return qs ? `${PAGES.studies.path}?${qs}` : PAGES.studies.path;
}

/** A link that swaps only the results with htmx (and still works as a plain link). */
function SwapLink(props: { href: string; rel?: string; label?: string; children: ComponentChildren }) {
  return (
    <a
      href={props.href}
      rel={props.rel}
      aria-label={props.label}
      hx-get={props.href}
      hx-target="#study-results"
      hx-push-url="true"
      hx-indicator="#study-loading"
    >
      {props.children}
    </a>
  );
}

function HeaderCell(props: { column: ResultColumn; query: StudyQuery }) {
  const { column, query } = props;
  const label = (
    <>
      {column.header}
      {column.unit ? <span class="unit"> ({column.unit})</span> : null}
    </>
  );
  const current = column.sort !== undefined && query.sort.key === column.sort;
  const cls = column.numeric ? 'num' : undefined;
  if (!column.sort)
    return (
      <th scope="col" class={cls}>
        {label}
      </th>
    );
  // A first click sorts the way a physicist usually reads the column: newest or highest first.
  const direction = current && query.sort.direction === 'desc' ? 'asc' : 'desc';
  const ariaSort = current ? (query.sort.direction === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" class={cls} aria-sort={ariaSort}>
      <SwapLink href={href(query, { sort: { key: column.sort, direction } })}>
        {label}
        <span class="sort-mark" aria-hidden="true">
          {current ? (query.sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
        </span>
      </SwapLink>
    </th>
  );
}

function countText(page: StudyPage): string {
  const { count, exact } = page.count;
  if (!exact) return `More than ${COUNT_CAP.toLocaleString('en-GB')} studies match`;
  return count === 1 ? '1 study matches' : `${count.toLocaleString('en-GB')} studies match`;
}

function Pager(props: { query: StudyQuery; previous?: Cursor | undefined; next?: Cursor | undefined }) {
  const { query, previous, next } = props;
  if (!previous && !next) return null;
  return (
    <nav class="pager" aria-label="Result pages">
      {previous ? (
        <SwapLink href={href(query, { before: previous })} rel="prev">
          ← Previous page
        </SwapLink>
      ) : (
        <span class="muted">← Previous page</span>
      )}
      {next ? (
        <SwapLink href={href(query, { after: next })} rel="next">
          Next page →
        </SwapLink>
      ) : (
        <span class="muted">Next page →</span>
      )}
    </nav>
  );
}

/** The results: count, table and pager; also the fragment htmx swaps in. */
export function StudyResults(props: { query: StudyQuery; page: StudyPage; timeZone: string }) {
  const { query, page } = props;
  if (page.rows.length === 0) {
    return (
      <EmptyState title="No studies match these filters.">
        Widen the date range or clear a filter. Only studies of your trusts are listed.
      </EmptyState>
    );
  }
  return (
    <>
      <p class="result-count" role="status">
        {countText(page)}
        {page.count.exact ? '' : ' (counting stops there to keep the page fast; narrow the filters for an exact count)'}
        {`. Showing ${page.rows.length.toLocaleString('en-GB')} per page.`}
      </p>
      <div class="table-wrap" role="region" aria-label="Studies" tabIndex={0}>
        <table class="study-table">
          <caption>Studies of your trusts matching the filters; open a study for its events</caption>
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <HeaderCell key={column.header} column={column} query={query} />
              ))}
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr key={row.studyId}>
                {COLUMNS.map((column) => (
                  <td key={column.header} class={column.numeric ? 'num' : undefined}>
                    {column.cell(row, props.timeZone)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager query={query} previous={page.previous} next={page.next} />
    </>
  );
}
