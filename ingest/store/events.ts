import { createHash } from 'node:crypto';
import type { QueryRunner } from '../../core/index.ts';
import type { DoseReport } from '../extract/types.ts';

/**
 * Irradiation events as stored rows. One row per CT acquisition, projection exposure or
 * radiopharmaceutical administration; `details` keeps the whole normalised event.
 */
export interface EventRow {
  readonly eventUid: string;
  /** Device-local ISO datetime, or undefined (then the study's time is used). */
  readonly localTime: string | undefined;
  readonly eventKind: 'ct' | 'projection' | 'radiopharmaceutical';
  readonly modality: string;
  readonly acquisitionProtocol: string | undefined;
  readonly targetRegion: string | undefined;
  readonly ctdiVolMgy?: number | undefined;
  readonly dlpMgyCm?: number | undefined;
  readonly dapGyCm2?: number | undefined;
  readonly doseRpGy?: number | undefined;
  readonly agdMgy?: number | undefined;
  readonly administeredActivityMbq?: number | undefined;
  readonly details: unknown;
}

const IMAGE_SOURCES = new Set(['dx-image', 'mg-image', 'ct-image', 'nm-image', 'pet-image']);

function digest(parts: ReadonlyArray<string | number | undefined>): string {
  const hex = createHash('sha256')
    .update(parts.map((p) => String(p ?? '')).join('\u001f'))
    .digest('hex')
    .slice(0, 30);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/**
 * The key an event merges on. RDSR events carry an Irradiation Event UID (cumulative reports repeat
 * it). An image stands for one exposure: its key is the exposure (time, laterality, view) rather than
 * the image, so the For Processing and For Presentation copies of one exposure are one event. An event
 * without any identity gets one derived from its content, stable across re-sends.
 */
export function eventKey(
  report: DoseReport,
  index: number,
  uid: string | undefined,
  time: string | undefined,
  distinct: ReadonlyArray<string | number | undefined>,
): string {
  // Every slice of a CT series repeats its acquisition's CTDIvol: one acquisition, one event.
  if (report.sourceKind === 'ct-image') return digest(['ct-acquisition', report.study.seriesInstanceUid, ...distinct]);
  if (IMAGE_SOURCES.has(report.sourceKind) && time)
    return digest(['exposure', report.study.studyInstanceUid, time, ...distinct]);
  if (uid) return uid;
  return digest(['content', report.study.studyInstanceUid, index, time, ...distinct]);
}

export function eventRows(report: DoseReport): EventRow[] {
  const rows: EventRow[] = [];
  report.ct?.events.forEach((e, i) =>
    rows.push({
      eventUid: eventKey(report, i, e.irradiationEventUid, e.dateTimeStarted, [
        e.acquisitionProtocol,
        e.ctdiVolMgy,
        e.xraySources[0]?.kvp,
      ]),
      localTime: e.dateTimeStarted,
      eventKind: 'ct',
      modality: 'CT',
      acquisitionProtocol: e.acquisitionProtocol,
      targetRegion: e.targetRegion?.meaning,
      ctdiVolMgy: e.ctdiVolMgy,
      dlpMgyCm: e.dlpMgyCm,
      details: e,
    }),
  );
  report.projection?.events.forEach((e, i) =>
    rows.push({
      eventUid: eventKey(report, i, e.irradiationEventUid, e.dateTimeStarted, [
        e.laterality?.value,
        e.imageView?.value,
        e.acquisitionProtocol,
      ]),
      localTime: e.dateTimeStarted,
      eventKind: 'projection',
      modality: report.modality,
      acquisitionProtocol: e.acquisitionProtocol,
      targetRegion: (e.targetRegion ?? e.anatomicalStructure)?.meaning,
      dapGyCm2: e.dapGyCm2,
      doseRpGy: e.doseRpGy ?? e.source.doseRpGy,
      agdMgy: e.source.averageGlandularDoseMgy,
      details: e,
    }),
  );
  report.radiopharmaceutical?.administrations.forEach((a, i) =>
    rows.push({
      eventUid: eventKey(report, i, a.radiopharmaceuticalAdministrationEventUid, a.radiopharmaceuticalStartDatetime, [
        a.radionuclide?.value,
        a.administeredActivityMbq,
      ]),
      localTime: a.radiopharmaceuticalStartDatetime,
      eventKind: 'radiopharmaceutical',
      modality: report.modality,
      acquisitionProtocol: a.radiopharmaceuticalAgent?.meaning ?? a.radiopharmaceuticalAgentString,
      targetRegion: undefined,
      administeredActivityMbq: a.administeredActivityMbq,
      details: a,
    }),
  );
  return rows;
}

/** Before 1990 no dose report exists; such times are placeholders and go to the default partition. */
export const FALLBACK_EVENT_TIME = '1970-01-01T00:00:00';

/** The study's device-local date and time as ISO text, or undefined without a study date. */
export function studyLocalTime(report: DoseReport): string | undefined {
  const { studyDate, studyTime } = report.study;
  return studyDate ? `${studyDate}T${studyTime ?? '00:00:00'}` : undefined;
}

/**
 * Inserts new events and refreshes known ones (a later cumulative report restates them); returns how
 * many were new. The month partitions must exist already (see ensurePartitions in the service).
 */
export async function upsertEvents(
  db: QueryRunner,
  refs: {
    studyId: number;
    sourceObjectId: number;
    deviceId: number;
    sourceKind: string;
    timeZone: string;
    studyLocalTime: string | undefined;
  },
  rows: readonly EventRow[],
): Promise<number> {
  let added = 0;
  for (const row of rows) {
    const local = row.localTime ?? refs.studyLocalTime ?? FALLBACK_EVENT_TIME;
    const { rows: result } = await db.query<{ inserted: boolean }>({
      name: 'kerma_upsert_event',
      // xmax cannot be read from a partitioned table, so "was it new" is asked before the insert;
      // reports of one study are merged under the study's row lock, so nothing moves in between.
      text: `
      WITH known AS (
        SELECT 1 FROM irradiation_events
        WHERE study_id = $3 AND irradiation_event_uid = $4 AND occurred_at = $1::timestamp AT TIME ZONE $2)
      INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, source_object_id, modality, event_kind,
        acquisition_protocol, target_region, ctdivol_mgy, dlp_mgycm, dap_gycm2, dose_rp_gy, agd_mgy, administered_activity_mbq,
        details, source_kind, device_id)
      VALUES ($1::timestamp AT TIME ZONE $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
      ON CONFLICT (study_id, irradiation_event_uid, occurred_at) DO UPDATE SET
        source_object_id = EXCLUDED.source_object_id, ctdivol_mgy = EXCLUDED.ctdivol_mgy, dlp_mgycm = EXCLUDED.dlp_mgycm,
        dap_gycm2 = EXCLUDED.dap_gycm2, dose_rp_gy = EXCLUDED.dose_rp_gy, agd_mgy = EXCLUDED.agd_mgy,
        administered_activity_mbq = EXCLUDED.administered_activity_mbq, details = EXCLUDED.details
      RETURNING NOT EXISTS (SELECT 1 FROM known) AS inserted`,
      values: [
        local,
        refs.timeZone,
        refs.studyId,
        row.eventUid,
        refs.sourceObjectId,
        row.modality,
        row.eventKind,
        row.acquisitionProtocol ?? null,
        row.targetRegion ?? null,
        row.ctdiVolMgy ?? null,
        row.dlpMgyCm ?? null,
        row.dapGyCm2 ?? null,
        row.doseRpGy ?? null,
        row.agdMgy ?? null,
        row.administeredActivityMbq ?? null,
        JSON.stringify(row.details),
        refs.sourceKind,
        refs.deviceId,
      ],
    });
    if (result[0]?.inserted) added += 1;
  }
  return added;
}

/** Sums over the stored events of a study: the fallback when reports overlap only partly. */
export async function eventSums(
  db: QueryRunner,
  studyId: number,
): Promise<{ dlp: number | null; dap: number | null; rp: number | null; agd: number | null; activity: number | null }> {
  const { rows } = await db.query<{
    dlp: number | null;
    dap: number | null;
    rp: number | null;
    agd: number | null;
    activity: number | null;
  }>({
    text: `SELECT sum(dlp_mgycm) AS dlp, sum(dap_gycm2) AS dap, sum(dose_rp_gy) AS rp, sum(agd_mgy) AS agd,
                  sum(administered_activity_mbq) AS activity
           FROM irradiation_events WHERE study_id = $1`,
    values: [studyId],
  });
  return rows[0] ?? { dlp: null, dap: null, rp: null, agd: null, activity: null };
}

/** A radiopharmaceutical SR is the authoritative record of administrations; header copies make way. */
export async function dropImageAdministrations(db: QueryRunner, studyId: number): Promise<void> {
  await db.query({
    text: `DELETE FROM irradiation_events WHERE study_id = $1 AND event_kind = 'radiopharmaceutical' AND source_kind IN ('nm-image', 'pet-image')`,
    values: [studyId],
  });
}
