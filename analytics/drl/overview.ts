import { sql, type QueryRunner } from '../../core/index.ts';
import type { DrlQuantity } from './types.ts';

export interface RoomAboveNationalDrl {
  readonly deviceId: number;
  readonly room: string;
  readonly trustCode: string | null;
  readonly procedureName: string;
  readonly quantity: DrlQuantity;
  readonly median: number;
  readonly nationalLevel: number;
  readonly sampleSize: number;
}

/**
 * The rooms of these trusts whose median exceeded the national DRL on at least the minimum sample
 * in the latest local DRL run (the nightly `kerma drl compute`), with the run's period.
 */
export async function roomsAboveNationalDrl(
  db: QueryRunner,
  trustIds: readonly number[],
): Promise<{ periodFrom: string; periodTo: string; rooms: RoomAboveNationalDrl[] } | undefined> {
  const { rows: runs } = await db.query<{ id: string; period_from: string; period_to: string }>(sql`
    SELECT local_drl_run_id AS id, period_from::text AS period_from, period_to::text AS period_to
    FROM local_drl_runs ORDER BY computed_at DESC, local_drl_run_id DESC LIMIT 1`);
  const run = runs[0];
  if (!run) return undefined;
  const { rows } = await db.query<{
    device_id: string;
    room: string;
    trust_code: string | null;
    name: string;
    quantity: DrlQuantity;
    median: number;
    national_level: number;
    sample_size: number;
  }>(sql`
    SELECT m.device_id, coalesce(d.room_name, d.station_name, 'device ' || d.device_id) AS room, t.code AS trust_code,
           sp.name, m.quantity, m.median, m.national_level, m.sample_size
    FROM local_drl_room_medians m
    JOIN devices d ON d.device_id = m.device_id
    JOIN standard_procedures sp ON sp.code = m.standard_procedure_code
    LEFT JOIN trusts t ON t.trust_id = m.trust_id
    WHERE m.local_drl_run_id = ${run.id} AND m.trust_id = ANY(${trustIds}::bigint[])
      AND m.above_national AND m.meets_minimum_sample
    ORDER BY m.ratio_to_national DESC, room`);
  return {
    periodFrom: run.period_from,
    periodTo: run.period_to,
    rooms: rows.map((r) => ({
      deviceId: Number(r.device_id),
      room: r.room,
      trustCode: r.trust_code,
      procedureName: r.name,
      quantity: r.quantity,
      median: r.median,
      nationalLevel: r.national_level,
      sampleSize: r.sample_size,
    })),
  };
}

/** Patient exams of these trusts since the start of this week (region's zone) above a national DRL. */
export async function examsAboveNationalDrlThisWeek(
  db: QueryRunner,
  trustIds: readonly number[],
  timeZone: string,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql`
    SELECT count(*)::integer AS n
    FROM studies s
    JOIN study_dose_metrics m ON m.study_id = s.study_id
    WHERE s.trust_id = ANY(${trustIds}::bigint[])
      AND s.study_datetime >= date_trunc('week', now() AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone}
      AND m.above_national_drl`);
  return rows[0]?.n ?? 0;
}
