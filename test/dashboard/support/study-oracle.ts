import type pg from 'pg';

/**
 * Every study of a region as plain values, read with the simplest SQL there is, so the tests can
 * filter and sort them in TypeScript and compare with what the study browser answers.
 */
export interface OracleStudy {
  readonly studyId: number;
  readonly trustCode: string;
  readonly deviceId: number | null;
  readonly modality: string;
  readonly time: string | null;
  /** Local calendar day in Europe/London (the harness's zone), YYYY-MM-DD. */
  readonly localDay: string | null;
  readonly description: string | null;
  readonly protocols: readonly string[];
  readonly age: number | null;
  readonly sex: string | null;
  readonly weight: number | null;
  readonly dlp: number | null;
  readonly ctdiMax: number | null;
  readonly dap: number | null;
  readonly doseRp: number | null;
  readonly events: number;
  /** Microseconds since 1970: the time sort key at full precision. */
  readonly timeUs: number | null;
}

export async function oracleStudies(pool: pg.Pool): Promise<OracleStudy[]> {
  const { rows } = await pool.query(`
    SELECT s.study_id::integer AS "studyId", t.code AS "trustCode", s.device_id::integer AS "deviceId",
           s.modality, s.study_datetime AS time,
           to_char(s.study_datetime AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "localDay",
           s.study_description AS description,
           coalesce((SELECT array_agg(e.acquisition_protocol) FROM irradiation_events e
                     WHERE e.study_id = s.study_id AND e.acquisition_protocol IS NOT NULL), '{}') AS protocols,
           s.patient_age_years AS age, p.sex, s.patient_weight_kg AS weight, s.total_dlp_mgycm AS dlp,
           (SELECT max(e.ctdivol_mgy) FROM irradiation_events e WHERE e.study_id = s.study_id) AS "ctdiMax",
           s.total_dap_gycm2 AS dap, s.total_dose_rp_gy AS "doseRp", s.event_count AS events,
           (extract(epoch FROM s.study_datetime) * 1000000)::bigint AS "timeUs"
    FROM studies s JOIN trusts t USING (trust_id) LEFT JOIN patients p USING (patient_id)`);
  return rows.map((r: Record<string, unknown>) => ({
    ...(r as unknown as OracleStudy),
    time: r.time instanceof Date ? r.time.toISOString() : null,
    timeUs: r.timeUs === null ? null : Number(r.timeUs),
  }));
}

export type SortKey = 'time' | 'dlp' | 'dap' | 'doseRp' | 'events';

export function sortValue(s: OracleStudy, key: SortKey): number | null {
  switch (key) {
    case 'time':
      return s.timeUs;
    case 'dlp':
      return s.dlp;
    case 'dap':
      return s.dap;
    case 'doseRp':
      return s.doseRp;
    case 'events':
      return s.events;
  }
}

/** The browser's documented order: the value in the direction asked, unknown values last, then study id. */
export function expectedOrder(studies: readonly OracleStudy[], key: SortKey, direction: 'asc' | 'desc'): number[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...studies]
    .sort((a, b) => {
      const [x, y] = [sortValue(a, key), sortValue(b, key)];
      if (x !== y) {
        if (x === null) return 1;
        if (y === null) return -1;
        return sign * (x - y);
      }
      return sign * (a.studyId - b.studyId);
    })
    .map((s) => s.studyId);
}
