import type { QueryRunner } from '../../core/index.ts';
import type { StudySummary } from '../../ingest/index.ts';
import type { EventKind, SourceObject, StudyEvent, StudyHeader, StudyTotals } from './types.ts';

/**
 * SQL of the study page. Every query takes the caller's trusts and answers nothing for a study of
 * another trust, exactly as for one that does not exist: the scope lives here, not in the routes.
 */
const UTC_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The study row of `studyId` when it belongs to one of `trustIds`. */
const inScope = `EXISTS (SELECT 1 FROM studies sc WHERE sc.study_id = $1 AND sc.trust_id = ANY($2::bigint[]))`;

interface HeaderRow {
  study_id: number;
  study_instance_uid: string;
  modality: string;
  modalities: string[];
  trust_code: string;
  trust_name: string;
  device_id: number | null;
  room_name: string | null;
  manufacturer: string | null;
  model_name: string | null;
  station_name: string | null;
  serial_number: string | null;
  software_versions: string | null;
  institution_name: string | null;
  department_name: string | null;
  study_time: string | null;
  time_basis: StudyHeader['timeBasis'];
  time_zone: string | null;
  study_description: string | null;
  requested_procedure: string | null;
  procedure_code: string | null;
  age: number | null;
  sex: 'F' | 'M' | 'O' | null;
  weight: number | null;
  height: number | null;
  accession_recorded: boolean;
  not_patient: boolean;
  dlp: number | null;
  dap: number | null;
  dap_a: number | null;
  dap_b: number | null;
  rp: number | null;
  agd: number | null;
  agd_left: number | null;
  agd_right: number | null;
  activity: number | null;
  event_count: number;
}

export async function findStudy(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
): Promise<{ header: StudyHeader; totals: StudyTotals } | undefined> {
  const { rows } = await db.query<HeaderRow>({
    text: `
    SELECT s.study_id, s.study_instance_uid, s.modality, s.modalities, t.code AS trust_code, t.name AS trust_name,
           d.device_id, d.room_name, d.manufacturer, d.model_name, d.station_name, d.serial_number, d.software_versions,
           d.institution_name, d.department_name,
           to_char(s.study_datetime AT TIME ZONE 'UTC', ${UTC_ISO}) AS study_time, s.time_basis, s.time_zone,
           s.study_description, s.requested_procedure, s.procedure_code, s.patient_age_years AS age, p.sex,
           s.patient_weight_kg AS weight, s.patient_height_m AS height, s.accession_hash IS NOT NULL AS accession_recorded,
           s.not_patient, s.total_dlp_mgycm AS dlp, s.total_dap_gycm2 AS dap, s.total_dap_plane_a_gycm2 AS dap_a,
           s.total_dap_plane_b_gycm2 AS dap_b, s.total_dose_rp_gy AS rp, s.total_agd_mgy AS agd,
           s.total_agd_left_mgy AS agd_left, s.total_agd_right_mgy AS agd_right, s.total_activity_mbq AS activity,
           s.event_count
      FROM studies s
      JOIN trusts t ON t.trust_id = s.trust_id
      LEFT JOIN devices d ON d.device_id = s.device_id
      LEFT JOIN patients p ON p.patient_id = s.patient_id
     WHERE s.study_id = $1 AND s.trust_id = ANY($2::bigint[])`,
    values: [studyId, trustIds],
  });
  const r = rows[0];
  return r ? { header: headerOf(r), totals: totalsOf(r) } : undefined;
}

function headerOf(r: HeaderRow): StudyHeader {
  return {
    studyId: r.study_id,
    studyInstanceUid: r.study_instance_uid,
    modality: r.modality,
    modalities: r.modalities,
    trust: { code: r.trust_code, name: r.trust_name },
    device:
      r.device_id === null
        ? null
        : {
            roomName: r.room_name,
            manufacturer: r.manufacturer,
            modelName: r.model_name,
            stationName: r.station_name,
            serialNumber: r.serial_number,
            softwareVersions: r.software_versions,
            institutionName: r.institution_name,
            departmentName: r.department_name,
          },
    studyTime: r.study_time,
    timeBasis: r.time_basis,
    timeZone: r.time_zone,
    studyDescription: r.study_description,
    requestedProcedure: r.requested_procedure,
    procedureCode: r.procedure_code,
    patient: { ageYears: r.age, sex: r.sex, weightKg: r.weight, heightM: r.height },
    accessionRecorded: r.accession_recorded,
    notPatient: r.not_patient,
  };
}

function totalsOf(r: HeaderRow): StudyTotals {
  return {
    dlpMgyCm: r.dlp,
    dapGyCm2: r.dap,
    dapPlaneAGyCm2: r.dap_a,
    dapPlaneBGyCm2: r.dap_b,
    doseRpGy: r.rp,
    agdMgy: r.agd,
    agdLeftMgy: r.agd_left,
    agdRightMgy: r.agd_right,
    activityMbq: r.activity,
    eventCount: r.event_count,
  };
}

/**
 * The study's events in time order; with `perKind`, only the first that many of each kind (a
 * fluoroscopy study may hold thousands, and their details are a few kilobytes each).
 */
export async function studyEvents(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
  perKind: number | null,
): Promise<StudyEvent[]> {
  const { rows } = await db.query<StudyEvent>({
    text: `
    SELECT "eventId", kind, "occurredAt", "irradiationEventUid", modality, "sourceKind", "acquisitionProtocol",
           "targetRegion", "ctdiVolMgy", "dlpMgyCm", "dapGyCm2", "doseRpGy", "agdMgy", "administeredActivityMbq", details
      FROM (
        SELECT e.event_id AS "eventId", e.event_kind AS kind,
               to_char(e.occurred_at AT TIME ZONE 'UTC', ${UTC_ISO}) AS "occurredAt",
               e.irradiation_event_uid AS "irradiationEventUid", e.modality, e.source_kind AS "sourceKind",
               e.acquisition_protocol AS "acquisitionProtocol", e.target_region AS "targetRegion",
               e.ctdivol_mgy AS "ctdiVolMgy", e.dlp_mgycm AS "dlpMgyCm", e.dap_gycm2 AS "dapGyCm2",
               e.dose_rp_gy AS "doseRpGy", e.agd_mgy AS "agdMgy", e.administered_activity_mbq AS "administeredActivityMbq",
               e.details, e.occurred_at,
               row_number() OVER (PARTITION BY e.event_kind ORDER BY e.occurred_at, e.event_id) AS n
          FROM irradiation_events e
         WHERE e.study_id = $1 AND ${inScope}
      ) ranked
     WHERE $3::integer IS NULL OR n <= $3::integer
     ORDER BY occurred_at, "eventId"`,
    values: [studyId, trustIds, perKind],
  });
  return rows;
}

export async function eventCounts(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
): Promise<Record<EventKind, number>> {
  const { rows } = await db.query<{ kind: EventKind; n: number }>({
    text: `SELECT event_kind AS kind, count(*)::int AS n FROM irradiation_events
            WHERE study_id = $1 AND ${inScope} GROUP BY event_kind`,
    values: [studyId, trustIds],
  });
  const counts: Record<EventKind, number> = { ct: 0, projection: 0, radiopharmaceutical: 0 };
  for (const r of rows) counts[r.kind] = r.n;
  return counts;
}

/** Sums of the projection events per irradiation event type (CID 10002 meaning): the per-type rows. */
export interface EventTypeSums {
  readonly eventType: string | null;
  readonly events: number;
  readonly dapGyCm2: number | null;
  readonly doseRpGy: number | null;
  readonly durationS: number | null;
}

export async function projectionTypeSums(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
): Promise<EventTypeSums[]> {
  const { rows } = await db.query<EventTypeSums>({
    text: `
    SELECT details->'irradiationEventType'->>'meaning' AS "eventType", count(*)::int AS events,
           sum(dap_gycm2) AS "dapGyCm2", sum(dose_rp_gy) AS "doseRpGy",
           sum((details->'source'->>'irradiationDurationS')::double precision) AS "durationS"
      FROM irradiation_events
     WHERE study_id = $1 AND event_kind = 'projection' AND ${inScope}
     GROUP BY 1 ORDER BY min(occurred_at)`,
    values: [studyId, trustIds],
  });
  return rows;
}

/** The received objects merged into the study. The storage path is never read: it is not for users. */
export async function studySources(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
): Promise<SourceObject[]> {
  const { rows } = await db.query<SourceObject>({
    text: `
    SELECT source_object_id AS "sourceObjectId", transport, sender,
           to_char(received_at AT TIME ZONE 'UTC', ${UTC_ISO}) AS "receivedAt", sha256, byte_size AS "byteSize",
           sop_class_uid AS "sopClassUid", extractor, extractor_version AS "extractorVersion", status, warnings
      FROM source_objects
     WHERE study_id = $1 AND ${inScope}
     ORDER BY received_at, source_object_id`,
    values: [studyId, trustIds],
  });
  return rows;
}

export interface StoredReport {
  readonly sourceObjectId: number;
  readonly sourceKind: string;
  readonly modality: string;
  readonly eventUids: string[];
  readonly summary: StudySummary;
  readonly mergedAt: string;
}

/** The reports merged into the study, in the order the merge rules saw them. */
export async function studyReportRows(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
): Promise<StoredReport[]> {
  const { rows } = await db.query<StoredReport>({
    text: `
    SELECT source_object_id AS "sourceObjectId", source_kind AS "sourceKind", modality, event_uids AS "eventUids",
           summary, to_char(created_at AT TIME ZONE 'UTC', ${UTC_ISO}) AS "mergedAt"
      FROM study_reports
     WHERE study_id = $1 AND ${inScope}
     ORDER BY study_report_id`,
    values: [studyId, trustIds],
  });
  return rows;
}
