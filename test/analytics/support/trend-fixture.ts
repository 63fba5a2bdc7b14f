import type pg from 'pg';

/**
 * A hand-made region for the trend, step-change and workload tests, whose answers are worked out by
 * hand: trust TA's CT room "CT A" does three head CTs a day (DLP 0.8×, 1×, 1.2× its level) from
 * 1 January to 30 June 2024; its level is 600 mGy·cm until 31 March and 432 (×0.72) from 1 April.
 * Trust TB's room "CT B" does one head CT a day at 500 all along, with three CT events (CTDIvol
 * 10, 20 and 30 mGy) in each exam. A phantom exposure (not_patient) of 99,999 mGy·cm sits in CT A's
 * first week and must count nowhere. The studies are mapped to the default standard procedure
 * CT-HEAD (migration 0017), whose DRL category has the UK NDRL for adult head CT (acute stroke),
 * 790 mGy·cm and 47 mGy per sequence, in the builtin set Kerma seeds at start (UKHSA NDRLs from
 * 20 November 2024, Table 1; status C).
 */
export const FIXTURE = {
  procedure: 'CT-HEAD',
  drlDlpMgyCm: 790,
  changeDate: '2024-04-01',
  before: 600,
  after: 432,
} as const;

export interface TrendFixture {
  readonly trustA: number;
  readonly trustB: number;
  readonly roomA: number;
  readonly roomB: number;
}

export async function loadTrendFixture(pool: pg.Pool): Promise<TrendFixture> {
  const { rows: trusts } = await pool.query<{ trust_id: string; code: string }>(
    `INSERT INTO trusts (code, name) VALUES ('TA', 'Trust A'), ('TB', 'Trust B') RETURNING trust_id, code`,
  );
  const trustA = Number(trusts.find((t) => t.code === 'TA')!.trust_id);
  const trustB = Number(trusts.find((t) => t.code === 'TB')!.trust_id);
  const { rows: devices } = await pool.query<{ device_id: string; room_name: string }>(
    `INSERT INTO devices (fingerprint, trust_id, room_name, station_name)
     VALUES ('fp-a', $1, 'CT A', 'CTA'), ('fp-b', $2, 'CT B', 'CTB') RETURNING device_id, room_name`,
    [trustA, trustB],
  );
  const roomA = Number(devices.find((d) => d.room_name === 'CT A')!.device_id);
  const roomB = Number(devices.find((d) => d.room_name === 'CT B')!.device_id);
  // Room A: three a day, levels 600 then 432, each day 0.8x, 1x, 1.2x the level.
  await pool.query(
    `INSERT INTO studies (study_instance_uid, trust_id, device_id, modality, study_datetime, total_dlp_mgycm,
                          standard_procedure_code, event_count)
     SELECT '2.25.7' || to_char(d, 'YYYYMMDD') || k, $1, $2, 'CT',
            (d + time '10:00' + k * interval '1 hour') AT TIME ZONE 'Europe/London',
            CASE WHEN d < date '2024-04-01' THEN 600 ELSE 432 END * (0.6 + 0.2 * k),
            'CT-HEAD', 1
     FROM generate_series(date '2024-01-01', date '2024-06-30', interval '1 day') AS g(d0)
     CROSS JOIN LATERAL (SELECT g.d0::date AS d) day
     CROSS JOIN generate_series(1, 3) AS k`,
    [trustA, roomA],
  );
  await pool.query(
    `INSERT INTO studies (study_instance_uid, trust_id, device_id, modality, study_datetime, total_dlp_mgycm,
                          standard_procedure_code, event_count, not_patient)
     VALUES ('2.25.66', $1, $2, 'CT', '2024-01-02T12:00:00Z', 99999, 'CT-HEAD', 1, true)`,
    [trustA, roomA],
  );
  const { rows: bStudies } = await pool.query<{ study_id: string; study_datetime: Date }>(
    `INSERT INTO studies (study_instance_uid, trust_id, device_id, modality, study_datetime, total_dlp_mgycm,
                          standard_procedure_code, event_count)
     SELECT '2.25.8' || to_char(d, 'YYYYMMDD'), $1, $2, 'CT', (d::date + time '11:00') AT TIME ZONE 'Europe/London',
            500, 'CT-HEAD', 3
     FROM generate_series(date '2024-01-01', date '2024-06-30', interval '1 day') AS d
     RETURNING study_id, study_datetime`,
    [trustB, roomB],
  );
  for (let month = 0; month < 6; month += 1) {
    await pool.query('SELECT kerma_ensure_event_partition($1)', [new Date(Date.UTC(2024, month, 15)).toISOString()]);
  }
  await pool.query(
    `INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, modality, event_kind, ctdivol_mgy, device_id)
     SELECT s.study_datetime + k * interval '1 minute', s.study_id, '2.25.9.' || s.study_id || '.' || k, 'CT', 'ct',
            10 * k, s.device_id
     FROM studies s CROSS JOIN generate_series(1, 3) AS k
     WHERE s.study_id = ANY($1::bigint[])`,
    [bStudies.map((s) => s.study_id)],
  );
  await pool.query('ANALYZE');
  return { trustA, trustB, roomA, roomB };
}
