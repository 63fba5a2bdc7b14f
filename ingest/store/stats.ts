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
