import { sql, type QueryRunner } from '../../core/index.ts';

/** What the store holds, for operators (`kerma stats`) and checks. */
export interface StoreStats {
  readonly studies: Record<string, number>;
  readonly events: Record<string, number>;
  readonly sourceObjects: number;
  readonly quarantined: number;
  readonly notDose: number;
  readonly patients: number;
  readonly devices: number;
}

export async function storeStats(db: QueryRunner): Promise<StoreStats> {
  const byModality = async (table: 'studies' | 'irradiation_events'): Promise<Record<string, number>> => {
    const { rows } = await db.query<{ modality: string; n: number }>({
      text: `SELECT modality, count(*)::int AS n FROM ${table} GROUP BY modality ORDER BY modality`,
    });
    return Object.fromEntries(rows.map((r) => [r.modality, r.n]));
  };
  const { rows } = await db.query<{
    objects: number;
    quarantined: number;
    not_dose: number;
    patients: number;
    devices: number;
  }>(sql`
    SELECT (SELECT count(*)::int FROM source_objects) AS objects,
           (SELECT count(*)::int FROM quarantine WHERE resolved_at IS NULL) AS quarantined,
           (SELECT count(*)::int FROM source_objects WHERE status = 'not_dose') AS not_dose,
           (SELECT count(*)::int FROM patients) AS patients,
           (SELECT count(*)::int FROM devices) AS devices`);
  const totals = rows[0] ?? { objects: 0, quarantined: 0, not_dose: 0, patients: 0, devices: 0 };
  return {
    studies: await byModality('studies'),
    events: await byModality('irradiation_events'),
    sourceObjects: totals.objects,
    quarantined: totals.quarantined,
    notDose: totals.not_dose,
    patients: totals.patients,
    devices: totals.devices,
  };
}

/** Dose reports received today and since Monday (in `timeZone`) per trust and modality: the overview's counts. */
export interface ArrivalCount {
  readonly trustCode: string;
  readonly trustName: string;
  readonly modality: string;
  readonly today: number;
  readonly thisWeek: number;
}

export async function arrivalCounts(db: QueryRunner, timeZone: string): Promise<ArrivalCount[]> {
  const { rows } = await db.query<ArrivalCount>(sql`
    WITH bounds AS (
      SELECT date_trunc('day', now() AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone} AS day_start,
             date_trunc('week', now() AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone} AS week_start
    )
    SELECT t.code AS "trustCode", t.name AS "trustName", s.modality,
           count(*) FILTER (WHERE o.received_at >= bounds.day_start)::int AS today,
           count(*)::int AS "thisWeek"
      FROM bounds, source_objects o
      JOIN studies s ON s.study_id = o.study_id
      JOIN trusts t ON t.trust_id = s.trust_id
     WHERE o.status = 'extracted' AND o.received_at >= bounds.week_start
     GROUP BY t.code, t.name, s.modality
     ORDER BY t.code, s.modality`);
  return rows;
}

export async function openQuarantineCount(db: QueryRunner): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM quarantine WHERE resolved_at IS NULL`,
  );
  return rows[0]?.n ?? 0;
}

/** The latest studies to arrive, of the given trusts only (study-level data is trust-scoped). */
export interface LatestArrival {
  readonly studyInstanceUid: string;
  readonly trustCode: string;
  readonly modality: string;
  readonly studyDescription: string | null;
  readonly stationName: string | null;
  readonly studyTime: string | null;
  readonly receivedAt: string;
}

export async function latestArrivals(
  db: QueryRunner,
  trustIds: readonly number[],
  limit: number,
): Promise<LatestArrival[]> {
  const { rows } = await db.query<LatestArrival>(sql`
    SELECT s.study_instance_uid AS "studyInstanceUid", t.code AS "trustCode", s.modality,
           s.study_description AS "studyDescription", d.station_name AS "stationName",
           to_char(s.study_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "studyTime",
           to_char(o.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "receivedAt"
      FROM source_objects o
      JOIN studies s ON s.study_id = o.study_id
      JOIN trusts t ON t.trust_id = s.trust_id
      LEFT JOIN devices d ON d.device_id = s.device_id
     WHERE o.status = 'extracted' AND s.trust_id = ANY(${trustIds.map(String)}::bigint[])
     ORDER BY o.received_at DESC, o.source_object_id DESC
     LIMIT ${limit}`);
  return rows;
}
