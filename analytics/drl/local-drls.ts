import { sql, type QueryRunner } from '../../core/index.ts';
import { CURRENT_REFERENCE_CTES, SqlParameters } from '../dose-metrics/index.ts';
import { referenceLevelsById } from './reference-levels.ts';
import { periodConditions, roomStatisticsCtes } from './room-statistics-sql.ts';
import { QUANTITY_UNITS, type DrlQuantity, type ReferenceLevel, type WeightBand } from './types.ts';

export interface LocalDrlSettings {
  /** First and last day (inclusive, YYYY-MM-DD) in `timeZone`. */
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly minSample: number;
  readonly weightBand: WeightBand;
  /** Who asked (a user name, "cli", "scheduler"). */
  readonly computedBy: string;
}

export interface LocalDrlRunSummary {
  readonly runId: number;
  readonly roomMedians: number;
  readonly localDrls: number;
}

/**
 * Computes the local DRLs of the whole consortium for a period and stores them as a new run: each
 * room's median per standard procedure and quantity, compared with the national DRL, and the third
 * quartile of the room medians that meet the minimum sample. One statement: a run is stored whole
 * or not at all. Earlier runs are kept (the history of a room's medians is the review trail).
 */
export async function computeLocalDrls(db: QueryRunner, settings: LocalDrlSettings): Promise<LocalDrlRunSummary> {
  const p = new SqlParameters();
  const period = periodConditions(p, settings.from, settings.to, settings.timeZone);
  const ctes = roomStatisticsCtes(p, period, settings.weightBand, settings.minSample);
  const text = `
    WITH ${CURRENT_REFERENCE_CTES}, ${ctes},
    run AS (
      INSERT INTO local_drl_runs (period_from, period_to, time_zone, min_sample, weight_min_kg, weight_max_kg, computed_by)
      VALUES (${p.add(settings.from)}, ${p.add(settings.to)}, ${p.add(settings.timeZone)}, ${p.add(settings.minSample)},
              ${p.add(settings.weightBand.minKg)}::double precision, ${p.add(settings.weightBand.maxKg)}::double precision,
              ${p.add(settings.computedBy)})
      RETURNING local_drl_run_id
    ),
    medians AS (
      INSERT INTO local_drl_room_medians (local_drl_run_id, standard_procedure_code, quantity, device_id, trust_id,
          sample_size, studies, median, meets_minimum_sample, national_reference_value_id, national_level,
          ratio_to_national, above_national)
      SELECT run.local_drl_run_id, rs.standard_procedure_code, rs.quantity, rs.device_id, d.trust_id, rs.sample_size,
             rs.studies, rs.q[3], rs.meets_minimum_sample, n.reference_value_id, n.value,
             CASE WHEN n.value > 0 THEN rs.q[3] / n.value END, rs.q[3] > n.value
      FROM room_stats rs CROSS JOIN run
      JOIN standard_procedures sp ON sp.code = rs.standard_procedure_code
      JOIN devices d ON d.device_id = rs.device_id
      LEFT JOIN national_drls n ON n.drl_category = sp.drl_category AND n.quantity = rs.quantity
      RETURNING 1
    ),
    drls AS (
      INSERT INTO local_drls (local_drl_run_id, standard_procedure_code, quantity, rooms, rooms_below_minimum,
          sample_size, third_quartile, national_reference_value_id, national_level)
      SELECT run.local_drl_run_id, rq.standard_procedure_code, rq.quantity, rq.rooms, rq.rooms_below_minimum,
             rq.sample_size, rq.third_quartile, n.reference_value_id, n.value
      FROM room_quartiles rq CROSS JOIN run
      JOIN standard_procedures sp ON sp.code = rq.standard_procedure_code
      LEFT JOIN national_drls n ON n.drl_category = sp.drl_category AND n.quantity = rq.quantity
      RETURNING 1
    )
    SELECT (SELECT local_drl_run_id FROM run) AS run_id, (SELECT count(*) FROM medians)::integer AS room_medians,
           (SELECT count(*) FROM drls)::integer AS local_drls`;
  const { rows } = await db.query<{ run_id: string; room_medians: number; local_drls: number }>({
    text,
    values: p.values,
  });
  const r = rows[0]!;
  return { runId: Number(r.run_id), roomMedians: r.room_medians, localDrls: r.local_drls };
}

export interface LocalDrlRun {
  readonly runId: number;
  readonly computedAt: string;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly timeZone: string;
  readonly minSample: number;
  readonly weightBand: WeightBand;
  readonly computedBy: string | null;
}

export interface RoomMedian {
  readonly deviceId: number;
  readonly room: string;
  readonly trustCode: string | null;
  readonly sampleSize: number;
  readonly studies: number;
  readonly median: number;
  readonly meetsMinimumSample: boolean;
  readonly ratioToNational: number | null;
  readonly aboveNational: boolean | null;
  readonly finding: boolean;
}

export interface LocalDrl {
  readonly standardProcedureCode: string;
  readonly name: string;
  readonly modality: string;
  readonly drlCategory: string | null;
  readonly quantity: DrlQuantity;
  readonly unit: string;
  readonly basis: 'per sequence' | 'per exam';
  /** Rooms (of the whole consortium) in the third quartile, and those below the minimum sample. */
  readonly rooms: number;
  readonly roomsBelowMinimum: number;
  readonly sampleSize: number;
  /** The consortium local DRL: third quartile of the room medians; null without a room at the minimum. */
  readonly localDrl: number | null;
  readonly nationalDrl: ReferenceLevel | null;
  /** Medians of the caller's trusts' rooms only. */
  readonly roomMedians: readonly RoomMedian[];
}

export interface LocalDrlReport {
  readonly run: LocalDrlRun;
  readonly localDrls: readonly LocalDrl[];
}

export interface LocalDrlFilter {
  /** The caller's trusts: the rooms whose medians are listed (the consortium figures are aggregates). */
  readonly trustIds: readonly number[];
  readonly runId?: number | undefined;
  readonly standardProcedure?: string | undefined;
  readonly modalities?: readonly string[] | undefined;
  readonly trust?: string | undefined;
  readonly deviceId?: number | undefined;
}

interface RunRow {
  local_drl_run_id: string;
  computed_at: Date;
  period_from: string;
  period_to: string;
  time_zone: string;
  min_sample: number;
  weight_min_kg: number | null;
  weight_max_kg: number | null;
  computed_by: string | null;
}

const runOf = (r: RunRow): LocalDrlRun => ({
  runId: Number(r.local_drl_run_id),
  computedAt: r.computed_at.toISOString(),
  periodFrom: r.period_from,
  periodTo: r.period_to,
  timeZone: r.time_zone,
  minSample: r.min_sample,
  weightBand: { minKg: r.weight_min_kg, maxKg: r.weight_max_kg },
  computedBy: r.computed_by,
});

const RUN_COLUMNS = `local_drl_run_id, computed_at, period_from::text AS period_from, period_to::text AS period_to,
  time_zone, min_sample, weight_min_kg, weight_max_kg, computed_by`;

/** The runs, newest first. */
export async function localDrlRuns(db: QueryRunner, limit = 50): Promise<LocalDrlRun[]> {
  const { rows } = await db.query<RunRow>({
    text: `SELECT ${RUN_COLUMNS} FROM local_drl_runs ORDER BY computed_at DESC, local_drl_run_id DESC LIMIT $1`,
    values: [limit],
  });
  return rows.map(runOf);
}

interface DrlRow {
  standard_procedure_code: string;
  name: string;
  modality: string;
  drl_category: string | null;
  quantity: DrlQuantity;
  rooms: number;
  rooms_below_minimum: number;
  sample_size: number;
  third_quartile: number | null;
  national_reference_value_id: string | null;
}

interface MedianRow {
  standard_procedure_code: string;
  quantity: DrlQuantity;
  device_id: string;
  room: string;
  trust_code: string | null;
  sample_size: number;
  studies: number;
  median: number;
  meets_minimum_sample: boolean;
  ratio_to_national: number | null;
  above_national: boolean | null;
}

/** A run (the latest when no id is given) with its local DRLs and the caller's rooms' medians. */
export async function localDrlReport(db: QueryRunner, filter: LocalDrlFilter): Promise<LocalDrlReport | undefined> {
  const { rows: runs } = await db.query<RunRow>({
    text: `SELECT ${RUN_COLUMNS} FROM local_drl_runs
           WHERE ($1::bigint IS NULL OR local_drl_run_id = $1) ORDER BY computed_at DESC, local_drl_run_id DESC LIMIT 1`,
    values: [filter.runId ?? null],
  });
  if (!runs[0]) return undefined;
  const run = runOf(runs[0]);
  const procedure = filter.standardProcedure ?? null;
  const modalities = filter.modalities?.length ? filter.modalities : null;
  const { rows: drls } = await db.query<DrlRow>(sql`
    SELECT l.standard_procedure_code, sp.name, sp.modality, sp.drl_category, l.quantity, l.rooms, l.rooms_below_minimum,
           l.sample_size, l.third_quartile, l.national_reference_value_id
    FROM local_drls l JOIN standard_procedures sp ON sp.code = l.standard_procedure_code
    WHERE l.local_drl_run_id = ${run.runId}
      AND (${procedure}::text IS NULL OR l.standard_procedure_code = ${procedure})
      AND (${modalities}::text[] IS NULL OR sp.modality = ANY(${modalities}::text[]))
    ORDER BY sp.name, sp.code, l.quantity`);
  const { rows: medians } = await db.query<MedianRow>(sql`
    SELECT m.standard_procedure_code, m.quantity, m.device_id,
           coalesce(d.room_name, d.station_name, 'device ' || d.device_id) AS room, t.code AS trust_code,
           m.sample_size, m.studies, m.median, m.meets_minimum_sample, m.ratio_to_national, m.above_national
    FROM local_drl_room_medians m
    JOIN devices d ON d.device_id = m.device_id
    LEFT JOIN trusts t ON t.trust_id = m.trust_id
    WHERE m.local_drl_run_id = ${run.runId} AND m.trust_id = ANY(${filter.trustIds}::bigint[])
      AND (${procedure}::text IS NULL OR m.standard_procedure_code = ${procedure})
      AND (${filter.trust ?? null}::text IS NULL OR t.code = ${filter.trust ?? null})
      AND (${filter.deviceId ?? null}::bigint IS NULL OR m.device_id = ${filter.deviceId ?? null})
    ORDER BY room, m.device_id`);
  const levels = await referenceLevelsById(
    db,
    drls.map((d) => (d.national_reference_value_id === null ? null : Number(d.national_reference_value_id))),
  );
  return {
    run,
    localDrls: drls.map((d) => ({
      standardProcedureCode: d.standard_procedure_code,
      name: d.name,
      modality: d.modality,
      drlCategory: d.drl_category,
      quantity: d.quantity,
      ...QUANTITY_UNITS[d.quantity],
      rooms: d.rooms,
      roomsBelowMinimum: d.rooms_below_minimum,
      sampleSize: d.sample_size,
      localDrl: d.third_quartile,
      nationalDrl:
        d.national_reference_value_id === null ? null : (levels.get(Number(d.national_reference_value_id)) ?? null),
      roomMedians: medians
        .filter((m) => m.standard_procedure_code === d.standard_procedure_code && m.quantity === d.quantity)
        .map((m) => ({
          deviceId: Number(m.device_id),
          room: m.room,
          trustCode: m.trust_code,
          sampleSize: m.sample_size,
          studies: m.studies,
          median: m.median,
          meetsMinimumSample: m.meets_minimum_sample,
          ratioToNational: m.ratio_to_national,
          aboveNational: m.above_national,
          finding: m.above_national === true && m.meets_minimum_sample,
        })),
    })),
  };
}
