import { sql, type QueryRunner } from '../../core/index.ts';
import type { StudySummary } from '../extract/summary.ts';
import type { DoseReport } from '../extract/types.ts';
import { studyLocalTime } from './events.ts';
import { instantOf, timeFrame, type TimeBasis, type ZoneSettings } from './instants.ts';
import { columnList, columnsOf, recordsetDefinition, type Column } from './columns.ts';

/** SQL of studies and the reports merged into them. */
export interface StudyRow {
  readonly studyId: number;
  readonly created: boolean;
  /** Events the study had before this statement (its event_count). */
  readonly eventCountBefore: number;
}

export interface StudyRefs {
  readonly patientId: number | undefined;
  readonly trustId: number;
  readonly deviceId: number;
  readonly accessionHash: string | undefined;
  readonly notPatient: boolean;
  /** How the report's local times are read when it states no offset (instants.ts). */
  readonly zones: ZoneSettings;
}

/** The study columns one report provides (its time as an instant, with the frame it was read in). */
export interface NewStudy {
  readonly study_instance_uid: string;
  readonly patient_id: number | null;
  readonly trust_id: number;
  readonly device_id: number;
  readonly modality: string;
  readonly modalities: string[];
  /** ISO with offset; time_basis and time_zone say how the local study date and time were read. */
  readonly study_datetime: string | null;
  readonly time_basis: TimeBasis | null;
  readonly time_zone: string | null;
  readonly accession_hash: string | null;
  readonly study_description: string | null;
  readonly requested_procedure: string | null;
  readonly procedure_code: string | null;
  readonly patient_age_years: number | null;
  readonly patient_weight_kg: number | null;
  readonly patient_height_m: number | null;
  readonly not_patient: boolean;
}

/** The columns of NewStudy with their SQL types, in the order every writer of them uses. */
export const NEW_STUDY_COLUMNS: readonly Column[] = columnsOf({
  study_instance_uid: 'text',
  patient_id: 'bigint',
  trust_id: 'bigint',
  device_id: 'bigint',
  modality: 'text',
  modalities: 'text[]',
  study_datetime: 'timestamptz',
  time_basis: 'text',
  time_zone: 'text',
  accession_hash: 'text',
  study_description: 'text',
  requested_procedure: 'text',
  procedure_code: 'text',
  patient_age_years: 'double precision',
  patient_weight_kg: 'double precision',
  patient_height_m: 'double precision',
  not_patient: 'boolean',
} satisfies Record<keyof NewStudy, string>);

export function newStudy(report: DoseReport, refs: StudyRefs): NewStudy {
  const s = report.study;
  const local = studyLocalTime(report);
  const frame = timeFrame(s.utcOffset, refs.zones);
  return {
    study_instance_uid: s.studyInstanceUid,
    patient_id: refs.patientId ?? null,
    trust_id: refs.trustId,
    device_id: refs.deviceId,
    modality: report.modality,
    modalities: [report.modality],
    study_datetime: local ? instantOf(local, frame) : null,
    time_basis: local ? frame.basis : null,
    time_zone: local ? frame.zone : null,
    accession_hash: refs.accessionHash ?? null,
    study_description: s.studyDescription ?? null,
    requested_procedure: s.requestedProcedureCodeMeaning ?? null,
    procedure_code: s.procedureCode ? `${s.procedureCode.scheme}:${s.procedureCode.value}` : null,
    patient_age_years: report.patient.patientAgeYears ?? null,
    patient_weight_kg: report.patient.patientWeightKg ?? null,
    patient_height_m: report.patient.patientSizeM ?? null,
    not_patient: refs.notPatient,
  };
}

/** A study's time and the frame it was read in go together. */
const pickTime = (s: NewStudy): Pick<NewStudy, 'study_datetime' | 'time_basis' | 'time_zone'> => ({
  study_datetime: s.study_datetime,
  time_basis: s.time_basis,
  time_zone: s.time_zone,
});

/**
 * Several reports of one study in one batch, as one row: what upserting them one after the other
 * would leave (the first report's identity, each later column filled only where still empty, the
 * modalities in order of arrival), the same rule as the ON CONFLICT clause below.
 */
export function mergeNewStudies(first: NewStudy, later: NewStudy): NewStudy {
  return {
    ...first,
    patient_id: first.patient_id ?? later.patient_id,
    device_id: first.device_id ?? later.device_id,
    ...(first.study_datetime ? {} : pickTime(later)),
    accession_hash: first.accession_hash ?? later.accession_hash,
    study_description: first.study_description ?? later.study_description,
    requested_procedure: first.requested_procedure ?? later.requested_procedure,
    procedure_code: first.procedure_code ?? later.procedure_code,
    patient_age_years: first.patient_age_years ?? later.patient_age_years,
    patient_weight_kg: first.patient_weight_kg ?? later.patient_weight_kg,
    patient_height_m: first.patient_height_m ?? later.patient_height_m,
    modalities: [...first.modalities, ...later.modalities.filter((m) => !first.modalities.includes(m))],
  };
}

/**
 * Creates the studies or locks the existing rows: every report of one study is merged under this row
 * lock, so concurrent arrivals (on any instance) serialise instead of duplicating. Study UIDs must be
 * distinct; rows go in UID order so that concurrent batches lock in one order. Returns rows in input order.
 */
export async function upsertStudies(db: QueryRunner, studies: readonly NewStudy[]): Promise<StudyRow[]> {
  if (studies.length === 0) return [];
  const { rows } = await db.query<{
    study_id: number;
    study_instance_uid: string;
    created: boolean;
    event_count: number;
  }>({
    text: `
    INSERT INTO studies (${columnList(NEW_STUDY_COLUMNS)})
    SELECT ${columnList(NEW_STUDY_COLUMNS, 't.')}
    FROM json_to_recordset($1::json) AS t(${recordsetDefinition(NEW_STUDY_COLUMNS)})
    ORDER BY t.study_instance_uid
    ON CONFLICT (study_instance_uid) DO UPDATE SET
      updated_at = now(),
      patient_id = COALESCE(studies.patient_id, EXCLUDED.patient_id),
      device_id = COALESCE(studies.device_id, EXCLUDED.device_id),
      study_datetime = COALESCE(studies.study_datetime, EXCLUDED.study_datetime),
      time_basis = CASE WHEN studies.study_datetime IS NULL THEN EXCLUDED.time_basis ELSE studies.time_basis END,
      time_zone = CASE WHEN studies.study_datetime IS NULL THEN EXCLUDED.time_zone ELSE studies.time_zone END,
      accession_hash = COALESCE(studies.accession_hash, EXCLUDED.accession_hash),
      study_description = COALESCE(studies.study_description, EXCLUDED.study_description),
      requested_procedure = COALESCE(studies.requested_procedure, EXCLUDED.requested_procedure),
      procedure_code = COALESCE(studies.procedure_code, EXCLUDED.procedure_code),
      patient_age_years = COALESCE(studies.patient_age_years, EXCLUDED.patient_age_years),
      patient_weight_kg = COALESCE(studies.patient_weight_kg, EXCLUDED.patient_weight_kg),
      patient_height_m = COALESCE(studies.patient_height_m, EXCLUDED.patient_height_m),
      modalities = studies.modalities ||
        ARRAY(SELECT m FROM unnest(EXCLUDED.modalities) WITH ORDINALITY AS x(m, n)
              WHERE m <> ALL(studies.modalities) ORDER BY n)
    RETURNING study_id, study_instance_uid, (xmax = 0) AS created, event_count`,
    values: [JSON.stringify(studies)],
  });
  const byUid = new Map(rows.map((r) => [r.study_instance_uid, r]));
  return studies.map((s) => {
    const row = byUid.get(s.study_instance_uid);
    if (!row) throw new Error(`study ${s.study_instance_uid} was neither inserted nor found`);
    return { studyId: row.study_id, created: row.created, eventCountBefore: row.event_count };
  });
}

export async function upsertStudy(db: QueryRunner, report: DoseReport, refs: StudyRefs): Promise<StudyRow> {
  const [row] = await upsertStudies(db, [newStudy(report, refs)]);
  return row!;
}

export interface StudyReportRow {
  readonly eventUids: string[];
  readonly summary: StudySummary;
  readonly sourceKind: string;
}

export interface NewStudyReport {
  readonly studyId: number;
  readonly sourceObjectId: number;
  readonly report: DoseReport;
  readonly eventUids: readonly string[];
  readonly summary: StudySummary;
}

export async function insertStudyReports(db: QueryRunner, reports: readonly NewStudyReport[]): Promise<void> {
  if (reports.length === 0) return;
  await db.query({
    text: `
    INSERT INTO study_reports (study_id, source_object_id, source_kind, modality, event_uids, summary)
    SELECT t.study_id, t.source_object_id, t.source_kind, t.modality, t.event_uids, t.summary
    FROM json_to_recordset($1::json) AS t(ord integer, study_id bigint, source_object_id bigint, source_kind text,
         modality text, event_uids text[], summary jsonb)
    ORDER BY t.ord
    ON CONFLICT (source_object_id) DO NOTHING`,
    values: [
      JSON.stringify(
        reports.map((r, ord) => ({
          ord,
          study_id: r.studyId,
          source_object_id: r.sourceObjectId,
          source_kind: r.report.sourceKind,
          modality: r.report.modality,
          event_uids: r.eventUids,
          summary: r.summary,
        })),
      ),
    ],
  });
}

export async function insertStudyReport(db: QueryRunner, r: NewStudyReport): Promise<void> {
  await insertStudyReports(db, [r]);
}

/** The reports already merged into each study, oldest first. */
export async function reportsOfStudies(
  db: QueryRunner,
  studyIds: readonly number[],
): Promise<Map<number, StudyReportRow[]>> {
  const byStudy = new Map<number, StudyReportRow[]>(studyIds.map((id) => [id, []]));
  if (studyIds.length === 0) return byStudy;
  const { rows } = await db.query<{
    study_id: number;
    event_uids: string[];
    summary: StudySummary;
    source_kind: string;
  }>(
    sql`SELECT study_id, event_uids, summary, source_kind FROM study_reports
        WHERE study_id = ANY(${studyIds}::bigint[]) ORDER BY study_report_id`,
  );
  for (const r of rows)
    byStudy.get(Number(r.study_id))?.push({ eventUids: r.event_uids, summary: r.summary, sourceKind: r.source_kind });
  return byStudy;
}

export async function studyReports(db: QueryRunner, studyId: number): Promise<StudyReportRow[]> {
  return (await reportsOfStudies(db, [studyId])).get(studyId) ?? [];
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

/** The total columns of a study row, as StudyTotals gives them (unknown is NULL, never 0). */
export interface StudyTotalsRecord {
  readonly total_dlp_mgycm: number | null;
  readonly total_dap_gycm2: number | null;
  readonly total_dap_plane_a_gycm2: number | null;
  readonly total_dap_plane_b_gycm2: number | null;
  readonly total_dose_rp_gy: number | null;
  readonly total_agd_left_mgy: number | null;
  readonly total_agd_right_mgy: number | null;
  readonly total_agd_mgy: number | null;
  readonly total_activity_mbq: number | null;
}

export const STUDY_TOTALS_COLUMNS: readonly Column[] = columnsOf({
  total_dlp_mgycm: 'double precision',
  total_dap_gycm2: 'double precision',
  total_dap_plane_a_gycm2: 'double precision',
  total_dap_plane_b_gycm2: 'double precision',
  total_dose_rp_gy: 'double precision',
  total_agd_left_mgy: 'double precision',
  total_agd_right_mgy: 'double precision',
  total_agd_mgy: 'double precision',
  total_activity_mbq: 'double precision',
} satisfies Record<keyof StudyTotalsRecord, string>);

/** StudyTotals (camelCase, undefined when unknown) as the columns store them. */
export function studyTotalsRecord(t: StudyTotals): StudyTotalsRecord {
  return {
    total_dlp_mgycm: t.totalDlpMgyCm ?? null,
    total_dap_gycm2: t.totalDapGyCm2 ?? null,
    total_dap_plane_a_gycm2: t.totalDapPlaneAGyCm2 ?? null,
    total_dap_plane_b_gycm2: t.totalDapPlaneBGyCm2 ?? null,
    total_dose_rp_gy: t.totalDoseRpGy ?? null,
    total_agd_left_mgy: t.totalAgdLeftMgy ?? null,
    total_agd_right_mgy: t.totalAgdRightMgy ?? null,
    total_agd_mgy: t.totalAgdMgy ?? null,
    total_activity_mbq: t.totalActivityMbq ?? null,
  };
}

/**
 * Writes the totals of each study. `eventCount` is the study's number of events when the caller
 * knows it (it counted what it inserted); undefined counts the stored events.
 */
export async function updateStudiesTotals(
  db: QueryRunner,
  updates: ReadonlyArray<{ studyId: number; totals: StudyTotals; eventCount: number | undefined }>,
): Promise<void> {
  if (updates.length === 0) return;
  await db.query({
    text: `
    UPDATE studies s SET
      ${STUDY_TOTALS_COLUMNS.map((c) => `${c.name} = t.${c.name}`).join(', ')},
      event_count = COALESCE(t.event_count, (SELECT count(*) FROM irradiation_events e WHERE e.study_id = s.study_id)),
      updated_at = now()
    FROM json_to_recordset($1::json) AS t(study_id bigint, ${recordsetDefinition(STUDY_TOTALS_COLUMNS)},
         event_count integer)
    WHERE s.study_id = t.study_id`,
    values: [
      JSON.stringify(
        updates.map(({ studyId, totals, eventCount }) => ({
          study_id: studyId,
          ...studyTotalsRecord(totals),
          event_count: eventCount ?? null,
        })),
      ),
    ],
  });
}

/**
 * A whole study row as recording its reports leaves it: its id, the columns of NewStudy, the totals
 * and the event count. For bulk loaders that COPY new studies (their ids assigned by the loader, so
 * the events written with them can name them); the statements above write the same columns.
 */
export const STUDY_ROW_COLUMNS: readonly Column[] = [
  { name: 'study_id', type: 'bigint' },
  ...NEW_STUDY_COLUMNS,
  ...STUDY_TOTALS_COLUMNS,
  { name: 'event_count', type: 'integer' },
];

export type StudyRecord = { readonly study_id: number; readonly event_count: number } & NewStudy & StudyTotalsRecord;

export function studyRecord(studyId: number, study: NewStudy, totals: StudyTotals, eventCount: number): StudyRecord {
  return { study_id: studyId, ...study, ...studyTotalsRecord(totals), event_count: eventCount };
}
