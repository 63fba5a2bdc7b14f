import type { QueryRunner } from '../../core/index.ts';
import { filterConditions, Parameters } from './filter-sql.ts';
import type {
  Cursor,
  DeviceOption,
  Sex,
  SortKey,
  StudyBrowserActor,
  StudyCount,
  StudyFilters,
  StudyQuery,
  StudyRow,
  StudySort,
} from './types.ts';

/**
 * The study browser's SQL. Pages are keyset pages over (sort value, study_id): a deep page costs an
 * index range scan from its cursor, never an OFFSET over the rows before it.
 */

interface SortColumn {
  readonly column: string;
  /** The value a cursor carries, selected beside the row. */
  readonly cursorValue: string;
  /** The column's value at a cursor position, from the cursor's parameter. */
  readonly fromCursor: (placeholder: string) => string;
  readonly nullable: boolean;
}

const SORT_COLUMNS: Record<SortKey, SortColumn> = {
  time: {
    column: 's.study_datetime',
    // Whole microseconds: timestamptz's resolution, exact in a JS number until the year 2255.
    cursorValue: '(extract(epoch FROM s.study_datetime) * 1000000)::bigint',
    fromCursor: (v) => `(timestamptz 'epoch' + ${v}::bigint * interval '1 microsecond')`,
    nullable: true,
  },
  dlp: dose('s.total_dlp_mgycm'),
  dap: dose('s.total_dap_gycm2'),
  doseRp: dose('s.total_dose_rp_gy'),
  events: {
    column: 's.event_count',
    cursorValue: 's.event_count',
    fromCursor: (v) => `${v}::integer`,
    nullable: false,
  },
};

function dose(column: string): SortColumn {
  return { column, cursorValue: column, fromCursor: (v) => `${v}::double precision`, nullable: true };
}

const flip = (direction: 'asc' | 'desc') => (direction === 'asc' ? 'desc' : 'asc');

/**
 * The queries of one page, in scan order. Rows with a value come from a range scan of the
 * (column, study_id) index from the cursor; rows without one (listed last in reading order) come
 * from a second query by study_id alone. One ORDER BY … NULLS LAST with an OR in the cursor
 * condition would defeat the index range scan; a UNION ALL under one LIMIT would rely on the
 * executor running its branches in order, which a parallel plan does not promise. So the caller runs
 * the second query only when the first comes back short.
 */
type Branch = (p: Parameters, take: number, where: readonly string[]) => string;

function branchQueries(sort: StudySort, cursor: { at: Cursor; side: 'after' | 'before' } | undefined): Branch[] {
  const c = SORT_COLUMNS[sort.key];
  const backward = cursor?.side === 'before';
  // Rows are fetched in scan order: reading order for "after", reversed for "before".
  const scan = backward ? flip(sort.direction) : sort.direction;
  const cmp = scan === 'asc' ? '>' : '<';
  let withValued = true;
  let withUnknown = c.nullable;
  if (cursor?.at.value === null)
    withValued = backward; // after an unknown value come only unknowns
  else if (cursor) withUnknown = withUnknown && !backward; // before a known value come only known ones
  const select = (p: Parameters, take: number, where: readonly string[], conditions: string[], order: string) =>
    `SELECT s.study_id, ${c.cursorValue} AS sort_value FROM studies s
     WHERE ${[...where, ...conditions].join(' AND ')} ORDER BY ${order} LIMIT ${p.add(take)}`;
  const valued: Branch = (p, take, where) => {
    const conditions = [`${c.column} IS NOT NULL`];
    if (cursor && cursor.at.value !== null) {
      const at = `(${c.fromCursor(p.add(cursor.at.value))}, ${p.add(cursor.at.studyId)}::bigint)`;
      conditions.push(`(${c.column}, s.study_id) ${cmp} ${at}`);
    }
    return select(p, take, where, conditions, `${c.column} ${scan}, s.study_id ${scan}`);
  };
  const unknown: Branch = (p, take, where) => {
    const conditions = [`${c.column} IS NULL`];
    if (cursor && cursor.at.value === null) conditions.push(`s.study_id ${cmp} ${p.add(cursor.at.studyId)}::bigint`);
    return select(p, take, where, conditions, `s.study_id ${scan}`);
  };
  const branches = [...(withValued ? [valued] : []), ...(withUnknown ? [unknown] : [])];
  // Reading order puts unknowns last, so a backward scan meets them first.
  return backward ? branches.reverse() : branches;
}

interface RowRecord {
  study_id: string;
  sort_value: string | null;
  study_datetime: Date | null;
  trust_code: string;
  device_id: string | null;
  room: string | null;
  modality: string;
  study_description: string | null;
  patient_age_years: number | null;
  sex: Sex | null;
  patient_weight_kg: number | null;
  event_count: number;
  total_dlp_mgycm: number | null;
  max_ctdivol_mgy: number | null;
  total_dap_gycm2: number | null;
  total_dose_rp_gy: number | null;
}

/** The page's rows with what the table shows; joins run for these few rows only. */
function rowsSql(page: string): string {
  return `
    WITH page AS MATERIALIZED (${page})
    SELECT page.study_id, page.sort_value, s.study_datetime, t.code AS trust_code, s.device_id,
           coalesce(d.room_name, d.station_name) AS room, s.modality, s.study_description,
           s.patient_age_years, pt.sex, s.patient_weight_kg, s.event_count, s.total_dlp_mgycm,
           ct.max_ctdivol_mgy, s.total_dap_gycm2, s.total_dose_rp_gy
    FROM page
    JOIN studies s ON s.study_id = page.study_id
    JOIN trusts t ON t.trust_id = s.trust_id
    LEFT JOIN devices d ON d.device_id = s.device_id
    LEFT JOIN patients pt ON pt.patient_id = s.patient_id
    LEFT JOIN LATERAL (SELECT max(e.ctdivol_mgy) AS max_ctdivol_mgy FROM irradiation_events e
                       WHERE e.study_id = s.study_id) ct ON true`;
}

export interface FetchedRow {
  readonly row: StudyRow;
  readonly cursor: Cursor;
}

function toRow(r: RowRecord): FetchedRow {
  const studyId = Number(r.study_id);
  return {
    cursor: { value: r.sort_value === null ? null : Number(r.sort_value), studyId },
    row: {
      studyId,
      studyDateTime: r.study_datetime ? r.study_datetime.toISOString() : null,
      trustCode: r.trust_code,
      deviceId: r.device_id === null ? null : Number(r.device_id),
      room: r.room,
      modality: r.modality,
      studyDescription: r.study_description,
      ageYears: r.patient_age_years,
      sex: r.sex,
      weightKg: r.patient_weight_kg,
      eventCount: r.event_count,
      totalDlpMgyCm: r.total_dlp_mgycm,
      maxCtdivolMgy: r.max_ctdivol_mgy,
      totalDapGyCm2: r.total_dap_gycm2,
      totalDoseRpGy: r.total_dose_rp_gy,
    },
  };
}

/** Keeps reading order: the sort value in its direction, unknowns last, then study_id. */
function inReadingOrder(rows: FetchedRow[], sort: StudySort): FetchedRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const [x, y] = [a.cursor.value, b.cursor.value];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return sign * (x - y);
    }
    return sign * (a.cursor.studyId - b.cursor.studyId);
  });
}

/**
 * Up to `take` rows from a cursor, in reading order. `side: 'before'` returns the rows just before
 * the cursor (the previous page), still in reading order.
 */
export async function fetchStudyRows(
  db: QueryRunner,
  actor: StudyBrowserActor,
  query: Pick<StudyQuery, 'filters' | 'sort'>,
  cursor: { at: Cursor; side: 'after' | 'before' } | undefined,
  take: number,
  timeZone: string,
): Promise<FetchedRow[]> {
  const fetched: FetchedRow[] = [];
  for (const branch of branchQueries(query.sort, cursor)) {
    const wanted = take - fetched.length;
    if (wanted <= 0) break;
    const p = new Parameters();
    const where = filterConditions(actor, query.filters, timeZone, p);
    const text = rowsSql(branch(p, wanted, where));
    const { rows } = await db.query<RowRecord>({ text, values: p.values });
    fetched.push(...rows.map(toRow));
  }
  return inReadingOrder(fetched, query.sort);
}

/**
 * How many studies match, counted exactly up to `cap`. An exact count of a broad filter over a
 * 10 M-study region reads millions of rows on every page (seconds); the capped count stops at
 * cap + 1 rows, so its cost is bounded like a page's, and the page says "more than" above it.
 */
export async function countStudies(
  db: QueryRunner,
  actor: StudyBrowserActor,
  filters: StudyFilters,
  cap: number,
  timeZone: string,
): Promise<StudyCount> {
  const p = new Parameters();
  const where = filterConditions(actor, filters, timeZone, p);
  const limit = p.add(cap + 1);
  const { rows } = await db.query<{ n: number }>({
    text: `SELECT count(*)::integer AS n FROM (SELECT 1 FROM studies s WHERE ${where.join(' AND ')} LIMIT ${limit}) hit`,
    values: p.values,
  });
  const n = rows[0]?.n ?? 0;
  return n > cap ? { count: cap, exact: false } : { count: n, exact: true };
}

/** The rooms of the caller's trusts, for the room filter's choices. */
export async function deviceOptions(db: QueryRunner, actor: StudyBrowserActor): Promise<DeviceOption[]> {
  const { rows } = await db.query<{ device_id: string; code: string; label: string }>({
    text: `SELECT d.device_id, t.code,
                  concat_ws(' · ', coalesce(d.room_name, d.station_name, 'unnamed room'),
                            nullif(concat_ws(' ', d.manufacturer, d.model_name), '')) AS label
           FROM devices d JOIN trusts t ON t.trust_id = d.trust_id
           WHERE d.trust_id = ANY($1::bigint[])
           ORDER BY t.code, label, d.device_id`,
    values: [actor.trustIds],
  });
  return rows.map((r) => ({ deviceId: Number(r.device_id), trustCode: r.code, label: r.label }));
}
