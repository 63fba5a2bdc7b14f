import type pg from 'pg';
import { buildRegionModel, createExamStream, directLoad } from '../../../synthetic/index.ts';

/**
 * A small synthetic region for the study browser's tests, loaded with the generator's direct loader,
 * plus a few hand-made studies that the generator never makes: several studies at one instant (ties
 * on the sort value), studies without a time, and studies with hostile text in their description.
 */
export interface StudyRegion {
  /** Trust codes, in load order; the tests give users one or two of them. */
  readonly trustCodes: readonly string[];
  readonly studies: number;
}

export const TIE_INSTANT = '2024-06-03T09:15:00.123456Z';
/** The tie's sort key: its microseconds survive, which a JS Date's milliseconds would not keep. */
export const TIE_MICROSECONDS = Date.parse(TIE_INSTANT) * 1000 + 456;

export async function loadStudyRegion(pool: pg.Pool, exams = 400): Promise<StudyRegion> {
  const model = buildRegionModel({ seed: 7, trusts: 2, years: 1, exams, start: '2024-01-01' });
  await directLoad(model, createExamStream(model), { pool, patientIdSecret: 'study-browser-test-secret-000000' });
  const { rows: trusts } = await pool.query<{ code: string }>(
    `SELECT code FROM trusts WHERE code <> 'DEFAULT' ORDER BY trust_id`,
  );
  const codes = trusts.map((t) => t.code);
  // Ties and unknown times, in both trusts, borrowing a device and patient the generator made.
  await pool.query(
    `INSERT INTO studies (study_instance_uid, patient_id, trust_id, device_id, modality, study_datetime,
                          study_description, total_dlp_mgycm, total_dap_gycm2, event_count)
     SELECT '2.25.9' || t.trust_id || lpad(g::text, 4, '0'), p.patient_id, t.trust_id, d.device_id, 'CT',
            CASE WHEN g % 4 = 0 THEN NULL ELSE $1::timestamptz END,
            CASE WHEN g = 1 THEN $2 ELSE 'TIE ' || g END,
            CASE WHEN g % 3 = 0 THEN NULL ELSE 500 END, NULL, 2
     FROM trusts t
     CROSS JOIN generate_series(1, 12) g
     CROSS JOIN LATERAL (SELECT device_id FROM devices WHERE trust_id = t.trust_id ORDER BY device_id LIMIT 1) d
     CROSS JOIN LATERAL (SELECT patient_id FROM patients ORDER BY patient_id LIMIT 1) p
     WHERE t.code = ANY($3::text[])`,
    [TIE_INSTANT, `<img src=x onerror=alert(1)> O'Brien -- ; /* x */`, codes],
  );
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM studies');
  return { trustCodes: codes, studies: rows[0]?.n ?? 0 };
}
