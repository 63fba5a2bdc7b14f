import type { QueryRunner, SqlQuery } from '../../core/index.ts';
import type {
  DailyMedian,
  DrlLine,
  GroupDimension,
  Period,
  SeriesKey,
  SqlParameters,
  StudySelection,
  TrendPoint,
  TrendQuantity,
  WorkloadRow,
} from './types.ts';

/**
 * The SQL of dose trends, step changes and workload: named statements built from fixed fragments,
 * every value a `$n` parameter. Percentiles are PostgreSQL's percentile_cont (linear interpolation
 * between order statistics, Hyndman & Fan type 7, as R's and numpy's defaults), computed by the same
 * plain aggregate on plain PostgreSQL and on TimescaleDB (docs/adr/0015: why no continuous aggregate).
 */

class Parameters implements SqlParameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Where each quantity is read. CTDIvol is per sequence (irradiation event), as its NDRL is. */
const QUANTITY_COLUMNS: Record<TrendQuantity, { readonly value: string; readonly perEvent: boolean }> = {
  dlp_mgycm: { value: 's.total_dlp_mgycm', perEvent: false },
  ctdivol_mgy: { value: 'e.ctdivol_mgy', perEvent: true },
  dap_gycm2: { value: 's.total_dap_gycm2', perEvent: false },
  kar_gy: { value: 's.total_dose_rp_gy', perEvent: false },
  agd_mgy: { value: 's.total_agd_mgy', perEvent: false },
  activity_mbq: { value: 's.total_activity_mbq', perEvent: false },
};

const DIMENSION_COLUMNS: Record<GroupDimension, string> = {
  room: 's.device_id',
  standardProcedure: 's.standard_procedure_code',
  trust: 's.trust_id',
};

/**
 * The studies a question is about, as conditions on `studies s`: the caller's trusts first (scoping
 * in the data layer, whatever the caller's own conditions say), the window of the region's days,
 * patients only (QA and phantom exposures are no patient's dose), then the caller's filters.
 */
export function selectionConditions(selection: StudySelection, p: SqlParameters): string[] {
  const zone = p.add(selection.timeZone);
  const where = [
    `s.trust_id = ANY(${p.add(selection.trustIds)}::bigint[])`,
    `s.study_datetime >= (${p.add(selection.fromDate)}::date)::timestamp AT TIME ZONE ${zone}`,
    `s.study_datetime < (${p.add(selection.toDate)}::date + 1)::timestamp AT TIME ZONE ${zone}`,
    'NOT s.not_patient',
  ];
  if (selection.standardProcedure !== undefined)
    where.push(`s.standard_procedure_code = ${p.add(selection.standardProcedure)}`);
  if (selection.conditions) where.push(...selection.conditions(p));
  return where;
}

function source(quantity: TrendQuantity): string {
  return QUANTITY_COLUMNS[quantity].perEvent
    ? 'studies s JOIN irradiation_events e ON e.study_id = s.study_id'
    : 'studies s';
}

interface GroupedSql {
  readonly columns: string[];
  readonly aliases: string[];
}

function grouped(groupBy: readonly GroupDimension[]): GroupedSql {
  const dims = [...new Set(groupBy)];
  return {
    columns: dims.map((d) => `${DIMENSION_COLUMNS[d]} AS g_${d}`),
    aliases: dims.map((d) => `g_${d}`),
  };
}

/**
 * The periods of the window (days, weeks or months of the region) as two arrays: each period's first
 * instant and its first day. A study's period is then a binary search of its instant in the first
 * (width_bucket), instead of converting every study's time to local time: at a busy room's 60,000
 * exams a year, AT TIME ZONE and date_trunc per row were most of a trend's time (about 90 of 140 ms).
 * Local midnights are converted once each, so days across a clock change are still the region's days.
 */
function periodsCte(p: SqlParameters, selection: StudySelection, unit: 'day' | 'week' | 'month'): string {
  const u = p.add(unit);
  return `periods AS MATERIALIZED (
      SELECT array_agg(g AT TIME ZONE ${p.add(selection.timeZone)} ORDER BY g) AS starts,
             array_agg(g::date ORDER BY g) AS days
      FROM generate_series(date_trunc(${u}, ${p.add(selection.fromDate)}::date::timestamp),
                           ${p.add(selection.toDate)}::date::timestamp, ('1 ' || ${u})::interval) AS g)`;
}

/** A study's period: its index in periods.starts (1 = the first period). */
const PERIOD_OF = 'width_bucket(s.study_datetime, periods.starts)';

/** The labels of a series' dimensions, joined after aggregation (a few rows, not every study). */
function labelled(periods: string, inner: string, groupBy: readonly GroupDimension[], label: string): string {
  const has = (d: GroupDimension) => groupBy.includes(d);
  return `
    WITH ${periods},
    agg AS MATERIALIZED (${inner})
    SELECT agg.*, periods.days[agg.period] AS ${label},
           ${has('room') ? "coalesce(d.room_name, d.station_name, 'Unnamed room') AS room_name, dt.code AS room_trust," : ''}
           ${has('standardProcedure') ? 'sp.name AS procedure_name,' : ''}
           ${has('trust') ? 't.code AS trust_code,' : ''}
           1 AS one
    FROM agg CROSS JOIN periods
    ${has('room') ? 'LEFT JOIN devices d ON d.device_id = agg.g_room LEFT JOIN trusts dt ON dt.trust_id = d.trust_id' : ''}
    ${has('standardProcedure') ? 'LEFT JOIN standard_procedures sp ON sp.code = agg.g_standardProcedure' : ''}
    ${has('trust') ? 'LEFT JOIN trusts t ON t.trust_id = agg.g_trust' : ''}
    ORDER BY ${[
      ...(has('trust') ? ['t.code'] : []),
      ...(has('room') ? ['room_name', 'agg.g_room'] : []),
      ...(has('standardProcedure') ? ['agg.g_standardProcedure NULLS LAST'] : []),
      'agg.period',
    ].join(', ')}`;
}

interface GroupRecord {
  g_room?: string | null;
  g_standardprocedure?: string | null;
  g_trust?: string | null;
  room_name?: string | null;
  room_trust?: string | null;
  procedure_name?: string | null;
  trust_code?: string | null;
}

/** The series key of a row: only the dimensions grouped by. */
export function seriesKeyOf(r: GroupRecord, groupBy: readonly GroupDimension[]): SeriesKey {
  return {
    room: groupBy.includes('room')
      ? { deviceId: Number(r.g_room), name: r.room_name ?? 'Unnamed room', trustCode: r.room_trust ?? '' }
      : undefined,
    standardProcedure: groupBy.includes('standardProcedure')
      ? { code: r.g_standardprocedure ?? null, name: r.procedure_name ?? null }
      : undefined,
    trustCode: groupBy.includes('trust') ? (r.trust_code ?? '') : undefined,
  };
}

function withoutUnknownRoom(groupBy: readonly GroupDimension[]): string[] {
  // A study whose room is unknown belongs to no room's series.
  return groupBy.includes('room') ? ['s.device_id IS NOT NULL'] : [];
}

/** Named statement: weekly or monthly median and quartiles per series. */
export function trendSql(
  selection: StudySelection,
  query: { quantity: TrendQuantity; period: Period; groupBy: readonly GroupDimension[] },
): SqlQuery {
  const p = new Parameters();
  const value = QUANTITY_COLUMNS[query.quantity].value;
  const where = [...selectionConditions(selection, p), `${value} IS NOT NULL`, ...withoutUnknownRoom(query.groupBy)];
  const g = grouped(query.groupBy);
  const periods = periodsCte(p, selection, query.period);
  const inner = `
    SELECT ${[...g.columns, `${PERIOD_OF} AS period`].join(', ')}, count(*)::integer AS n,
           percentile_cont(ARRAY[0.25, 0.5, 0.75]::double precision[]) WITHIN GROUP (ORDER BY ${value}) AS q
    FROM periods CROSS JOIN ${source(query.quantity)}
    WHERE ${where.join(' AND ')}
    GROUP BY ${[...g.aliases, 'period'].join(', ')}`;
  return { text: labelled(periods, inner, query.groupBy, 'period_start'), values: p.values };
}

export interface TrendRecord extends GroupRecord {
  period_start: Date | string;
  n: number;
  q: number[];
}

/** A date column as YYYY-MM-DD: node-postgres reads `date` as local midnight, so format it locally. */
export function dayText(value: Date | string): string {
  if (typeof value === 'string') return value.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

export function trendPointOf(r: TrendRecord): TrendPoint {
  return { periodStart: dayText(r.period_start), n: r.n, p25: r.q[0]!, median: r.q[1]!, p75: r.q[2]! };
}

export async function trendRows(
  db: QueryRunner,
  selection: StudySelection,
  query: { quantity: TrendQuantity; period: Period; groupBy: readonly GroupDimension[] },
): Promise<TrendRecord[]> {
  return (await db.query<TrendRecord>(trendSql(selection, query))).rows;
}

export interface DailyRecord extends GroupRecord {
  day: Date | string;
  n: number;
  median: number;
}

/** Named statement: each series' median per day of the region, the input of step-change detection. */
export function dailyMedianSql(
  selection: StudySelection,
  query: { quantity: TrendQuantity; groupBy: readonly GroupDimension[] },
): SqlQuery {
  const p = new Parameters();
  const value = QUANTITY_COLUMNS[query.quantity].value;
  const where = [...selectionConditions(selection, p), `${value} IS NOT NULL`, ...withoutUnknownRoom(query.groupBy)];
  const g = grouped(query.groupBy);
  const periods = periodsCte(p, selection, 'day');
  const inner = `
    SELECT ${[...g.columns, `${PERIOD_OF} AS period`].join(', ')}, count(*)::integer AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ${value}) AS median
    FROM periods CROSS JOIN ${source(query.quantity)}
    WHERE ${where.join(' AND ')}
    GROUP BY ${[...g.aliases, 'period'].join(', ')}`;
  return { text: labelled(periods, inner, query.groupBy, 'day'), values: p.values };
}

export async function dailyMedianRows(
  db: QueryRunner,
  selection: StudySelection,
  query: { quantity: TrendQuantity; groupBy: readonly GroupDimension[] },
): Promise<DailyRecord[]> {
  return (await db.query<DailyRecord>(dailyMedianSql(selection, query))).rows;
}

export const dailyMedianOf = (r: DailyRecord): DailyMedian => ({ day: dayText(r.day), n: r.n, median: r.median });

/** Named statement: exams per room per day of the region. */
export function workloadSql(selection: StudySelection): SqlQuery {
  const p = new Parameters();
  const where = selectionConditions(selection, p);
  const periods = periodsCte(p, selection, 'day');
  return {
    text: `
      WITH ${periods},
      agg AS MATERIALIZED (
        SELECT ${PERIOD_OF} AS period, s.trust_id, s.device_id, count(*)::integer AS exams
        FROM periods CROSS JOIN studies s WHERE ${where.join(' AND ')}
        GROUP BY 1, 2, 3)
      SELECT periods.days[agg.period] AS day, t.code AS trust_code, agg.device_id,
             CASE WHEN agg.device_id IS NULL THEN NULL
                  ELSE coalesce(d.room_name, d.station_name, 'Unnamed room') END AS room,
             agg.exams
      FROM agg CROSS JOIN periods JOIN trusts t ON t.trust_id = agg.trust_id
      LEFT JOIN devices d ON d.device_id = agg.device_id
      ORDER BY agg.period, t.code, room NULLS LAST, agg.device_id`,
    values: p.values,
  };
}

export async function workloadRows(db: QueryRunner, selection: StudySelection): Promise<WorkloadRow[]> {
  const { rows } = await db.query<{
    day: Date | string;
    trust_code: string;
    device_id: string | null;
    room: string | null;
    exams: number;
  }>(workloadSql(selection));
  return rows.map((r) => ({
    day: dayText(r.day),
    trustCode: r.trust_code,
    deviceId: r.device_id === null ? null : Number(r.device_id),
    room: r.room,
    exams: r.exams,
  }));
}

/**
 * The current national DRL of each standard procedure for a quantity: the DRL category's figure in
 * the current (not superseded) edition of a national-drl set, for adults (a trend is not split by
 * age). Procedures without a DRL category, or whose category has no figure for the quantity, get none.
 */
export async function nationalDrls(
  db: QueryRunner,
  codes: readonly string[],
  quantity: TrendQuantity,
): Promise<Map<string, DrlLine>> {
  if (codes.length === 0) return new Map();
  const { rows } = await db.query<{
    code: string;
    reference_value_id: string;
    value: number;
    drl_category: string;
    status: 'C' | 'S';
    title: string;
    edition: string;
  }>({
    text: `
      SELECT DISTINCT ON (sp.code) sp.code, rv.reference_value_id, rv.value, rv.drl_category, rv.status,
             rs.title, rs.edition
      FROM standard_procedures sp
      JOIN reference_values rv ON rv.drl_category = sp.drl_category AND rv.quantity = $2
      JOIN reference_sets rs ON rs.reference_set_id = rv.reference_set_id
      WHERE sp.code = ANY($1::text[]) AND rs.kind = 'national-drl' AND rs.superseded_by IS NULL
        AND (rv.age_band IS NULL OR rv.age_band = 'adult')
      ORDER BY sp.code, rs.effective_from DESC NULLS LAST, rv.reference_value_id`,
    values: [codes, quantity],
  });
  return new Map(
    rows.map((r) => [
      r.code,
      {
        value: r.value,
        quantity,
        referenceValueId: Number(r.reference_value_id),
        drlCategory: r.drl_category,
        setTitle: r.title,
        edition: r.edition,
        status: r.status,
      },
    ]),
  );
}

/** Standard procedures for the filter's choices (codes and names; the table is small). */
export async function standardProcedureOptions(
  db: QueryRunner,
): Promise<Array<{ code: string; name: string; modality: string }>> {
  const { rows } = await db.query<{ code: string; name: string; modality: string }>({
    text: 'SELECT code, name, modality FROM standard_procedures ORDER BY modality, name, code',
  });
  return rows;
}
