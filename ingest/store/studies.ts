import { sql, type QueryRunner } from '../../core/index.ts';
import type { StudySummary } from '../extract/summary.ts';
import type { DoseReport } from '../extract/types.ts';
import { studyLocalTime } from './events.ts';

/** SQL of studies and the reports merged into them. */
export interface StudyRow {
  readonly studyId: number;
  readonly created: boolean;
}

/**
 * Creates the study or locks the existing row: every report of one study is merged under this row
 * lock, so concurrent arrivals (on any instance) serialise instead of duplicating.
 */
export async function upsertStudy(
  db: QueryRunner,
  report: DoseReport,
  refs: {
    patientId: number | undefined;
    trustId: number;
    deviceId: number;
    timeZone: string;
    accessionHash: string | undefined;
    notPatient: boolean;
  },
): Promise<StudyRow> {
  const s = report.study;
  // Device-local date and time (DICOM carries no zone) read in the deployment's time zone.
  const studyDateTime = studyLocalTime(report);
  const { rows } = await db.query<{ study_id: number; created: boolean }>({
    text: `
    INSERT INTO studies (study_instance_uid, patient_id, trust_id, device_id, modality, modalities, study_datetime, accession_hash,
                         study_description, requested_procedure, procedure_code, patient_age_years, patient_weight_kg,
                         patient_height_m, not_patient)
    VALUES ($1, $2, $3, $4, $5, ARRAY[$5], $6::timestamp AT TIME ZONE $7, $8, $9, $10, $11, $12, $13, $14, $15)
    ON CONFLICT (study_instance_uid) DO UPDATE SET
      updated_at = now(),
      patient_id = COALESCE(studies.patient_id, EXCLUDED.patient_id),
      device_id = COALESCE(studies.device_id, EXCLUDED.device_id),
      study_datetime = COALESCE(studies.study_datetime, EXCLUDED.study_datetime),
      accession_hash = COALESCE(studies.accession_hash, EXCLUDED.accession_hash),
      study_description = COALESCE(studies.study_description, EXCLUDED.study_description),
      requested_procedure = COALESCE(studies.requested_procedure, EXCLUDED.requested_procedure),
      procedure_code = COALESCE(studies.procedure_code, EXCLUDED.procedure_code),
      patient_age_years = COALESCE(studies.patient_age_years, EXCLUDED.patient_age_years),
      patient_weight_kg = COALESCE(studies.patient_weight_kg, EXCLUDED.patient_weight_kg),
      patient_height_m = COALESCE(studies.patient_height_m, EXCLUDED.patient_height_m),
      modalities = CASE WHEN EXCLUDED.modality = ANY(studies.modalities) THEN studies.modalities
                        ELSE studies.modalities || EXCLUDED.modality END
    RETURNING study_id, (xmax = 0) AS created`,
    values: [
      s.studyInstanceUid,
      refs.patientId ?? null,
      refs.trustId,
      refs.deviceId,
      report.modality,
      studyDateTime ?? null,
      refs.timeZone,
      refs.accessionHash ?? null,
      s.studyDescription ?? null,
      s.requestedProcedureCodeMeaning ?? null,
      s.procedureCode ? `${s.procedureCode.scheme}:${s.procedureCode.value}` : null,
      report.patient.patientAgeYears ?? null,
      report.patient.patientWeightKg ?? null,
      report.patient.patientSizeM ?? null,
      refs.notPatient,
    ],
  });
  const row = rows[0];
  if (!row) throw new Error(`study ${s.studyInstanceUid} was neither inserted nor found`);
  return { studyId: row.study_id, created: row.created };
}

export interface StudyReportRow {
  readonly eventUids: string[];
  readonly summary: StudySummary;
  readonly sourceKind: string;
}

export async function insertStudyReport(
  db: QueryRunner,
  r: {
    studyId: number;
    sourceObjectId: number;
    report: DoseReport;
    eventUids: readonly string[];
    summary: StudySummary;
  },
): Promise<void> {
  await db.query(sql`
    INSERT INTO study_reports (study_id, source_object_id, source_kind, modality, event_uids, summary)
    VALUES (${r.studyId}, ${r.sourceObjectId}, ${r.report.sourceKind}, ${r.report.modality}, ${r.eventUids}, ${JSON.stringify(r.summary)})
    ON CONFLICT (source_object_id) DO NOTHING`);
}

export async function studyReports(db: QueryRunner, studyId: number): Promise<StudyReportRow[]> {
  const { rows } = await db.query<{ event_uids: string[]; summary: StudySummary; source_kind: string }>(
    sql`SELECT event_uids, summary, source_kind FROM study_reports WHERE study_id = ${studyId} ORDER BY study_report_id`,
  );
  return rows.map((r) => ({ eventUids: r.event_uids, summary: r.summary, sourceKind: r.source_kind }));
}

export interface StudyTotals {
  readonly totalDlpMgyCm: number | undefined;
  readonly totalDapGyCm2: number | undefined;
  readonly totalDapPlaneAGyCm2: number | undefined;
  readonly totalDapPlaneBGyCm2: number | undefined;
  readonly totalDoseRpGy: number | undefined;
  readonly totalAgdLeftMgy: number | undefined;
  readonly totalAgdRightMgy: number | undefined;
  readonly totalAgdMgy: number | undefined;
  readonly totalActivityMbq: number | undefined;
}

export async function updateStudyTotals(db: QueryRunner, studyId: number, t: StudyTotals): Promise<void> {
  await db.query(sql`
    UPDATE studies SET
      total_dlp_mgycm = ${t.totalDlpMgyCm ?? null}, total_dap_gycm2 = ${t.totalDapGyCm2 ?? null},
      total_dap_plane_a_gycm2 = ${t.totalDapPlaneAGyCm2 ?? null}, total_dap_plane_b_gycm2 = ${t.totalDapPlaneBGyCm2 ?? null},
      total_dose_rp_gy = ${t.totalDoseRpGy ?? null}, total_agd_left_mgy = ${t.totalAgdLeftMgy ?? null},
      total_agd_right_mgy = ${t.totalAgdRightMgy ?? null}, total_agd_mgy = ${t.totalAgdMgy ?? null},
      total_activity_mbq = ${t.totalActivityMbq ?? null},
      event_count = (SELECT count(*) FROM irradiation_events WHERE study_id = ${studyId}),
      updated_at = now()
    WHERE study_id = ${studyId}`);
}
