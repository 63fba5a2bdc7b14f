import type { QueryRunner, SqlQuery } from '../../core/index.ts';
import type { TimelineExam } from './types.ts';

/**
 * Named statement: every exam of the patient whose identifier has this key, in the caller's trusts
 * only, oldest first, with the running sum of known effective doses. One round trip: the key's row
 * (patient_identifiers primary key), then the patient's studies (studies_patient_time_idx).
 * Exams without a time come last; QA and phantom exposures are no patient's dose.
 */
export function patientTimelineSql(identifierHash: string, trustIds: readonly number[]): SqlQuery {
  return {
    text: `
      SELECT s.study_id, s.study_datetime, t.code AS trust_code,
             coalesce(d.room_name, d.station_name) AS room, s.modality, s.study_description,
             s.standard_procedure_code, sp.name AS procedure_name,
             m.effective_dose_msv, m.effective_dose_method,
             sum(m.effective_dose_msv) OVER (ORDER BY s.study_datetime NULLS LAST, s.study_id) AS cumulative_msv,
             s.total_dlp_mgycm, s.total_dap_gycm2, s.total_dose_rp_gy, s.total_agd_mgy, s.total_activity_mbq
      FROM studies s
      JOIN trusts t ON t.trust_id = s.trust_id
      LEFT JOIN devices d ON d.device_id = s.device_id
      LEFT JOIN standard_procedures sp ON sp.code = s.standard_procedure_code
      LEFT JOIN study_dose_metrics m ON m.study_id = s.study_id
      WHERE s.patient_id = (SELECT i.patient_id FROM patient_identifiers i WHERE i.identifier_hash = $1)
        AND s.trust_id = ANY($2::bigint[])
        AND NOT s.not_patient
      ORDER BY s.study_datetime NULLS LAST, s.study_id`,
    values: [identifierHash, trustIds],
  };
}

interface TimelineRecord {
  study_id: string;
  study_datetime: Date | null;
  trust_code: string;
  room: string | null;
  modality: string;
  study_description: string | null;
  standard_procedure_code: string | null;
  procedure_name: string | null;
  effective_dose_msv: number | null;
  effective_dose_method: string | null;
  cumulative_msv: number | null;
  total_dlp_mgycm: number | null;
  total_dap_gycm2: number | null;
  total_dose_rp_gy: number | null;
  total_agd_mgy: number | null;
  total_activity_mbq: number | null;
}

export async function patientTimeline(
  db: QueryRunner,
  identifierHash: string,
  trustIds: readonly number[],
): Promise<TimelineExam[]> {
  const { rows } = await db.query<TimelineRecord>(patientTimelineSql(identifierHash, trustIds));
  return rows.map((r) => ({
    studyId: Number(r.study_id),
    studyDateTime: r.study_datetime ? r.study_datetime.toISOString() : null,
    trustCode: r.trust_code,
    room: r.room,
    modality: r.modality,
    studyDescription: r.study_description,
    standardProcedure:
      r.standard_procedure_code === null
        ? null
        : { code: r.standard_procedure_code, name: r.procedure_name ?? r.standard_procedure_code },
    effectiveDoseMsv: r.effective_dose_msv,
    effectiveDoseMethod: r.effective_dose_method,
    cumulativeEffectiveDoseMsv: r.cumulative_msv,
    totalDlpMgyCm: r.total_dlp_mgycm,
    totalDapGyCm2: r.total_dap_gycm2,
    karGy: r.total_dose_rp_gy,
    totalAgdMgy: r.total_agd_mgy,
    totalActivityMbq: r.total_activity_mbq,
  }));
}
