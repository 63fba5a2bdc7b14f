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

/** An event row bound to its study, object and device: one row of irradiation_events to write. */
export interface BoundEvent {
  readonly studyId: number;
  readonly sourceObjectId: number;
  readonly deviceId: number;
  readonly sourceKind: string;
  /** Device-local time of the event (the study's, or the fallback, when the event has none). */
  readonly localTime: string;
  readonly row: EventRow;
}

export function bindEvents(
  rows: readonly EventRow[],
  refs: {
    studyId: number;
    sourceObjectId: number;
    deviceId: number;
    sourceKind: string;
    studyLocalTime: string | undefined;
  },
): BoundEvent[] {
  return rows.map((row) => ({
    studyId: refs.studyId,
    sourceObjectId: refs.sourceObjectId,
    deviceId: refs.deviceId,
    sourceKind: refs.sourceKind,
    localTime: row.localTime ?? refs.studyLocalTime ?? FALLBACK_EVENT_TIME,
    row,
  }));
}

/** 2024-03-01T10:00 and 2024-03-01T10:00:00.000 are one instant: one key. */
function canonicalLocalTime(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):?(\d{2})?:?(\d{2})?(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return text;
  return `${m[1]}T${m[2]}:${m[3] ?? '00'}:${m[4] ?? '00'}.${(m[5] ?? '').padEnd(6, '0')}`;
}

/** The unique key of a stored event (the table's UNIQUE (study_id, irradiation_event_uid, occurred_at)). */
const boundEventKey = (e: BoundEvent): string =>
  `${e.studyId}\u001f${e.row.eventUid}\u001f${canonicalLocalTime(e.localTime)}`;

/** Columns a later report restates for a known event (the rest stay as first recorded). */
function restate(first: BoundEvent, later: BoundEvent): BoundEvent {
  return {
    ...first,
    sourceObjectId: later.sourceObjectId,
    row: {
      ...first.row,
      ctdiVolMgy: later.row.ctdiVolMgy,
      dlpMgyCm: later.row.dlpMgyCm,
      dapGyCm2: later.row.dapGyCm2,
      doseRpGy: later.row.doseRpGy,
      agdMgy: later.row.agdMgy,
      administeredActivityMbq: later.row.administeredActivityMbq,
      details: later.row.details,
    },
  };
}

function eventRecord(e: BoundEvent, ord: number): Record<string, unknown> {
  const r = e.row;
  return {
    ord,
    study_id: e.studyId,
    irradiation_event_uid: r.eventUid,
    local_time: e.localTime,
    source_object_id: e.sourceObjectId,
    modality: r.modality,
    event_kind: r.eventKind,
    acquisition_protocol: r.acquisitionProtocol ?? null,
    target_region: r.targetRegion ?? null,
    ctdivol_mgy: r.ctdiVolMgy ?? null,
    dlp_mgycm: r.dlpMgyCm ?? null,
    dap_gycm2: r.dapGyCm2 ?? null,
    dose_rp_gy: r.doseRpGy ?? null,
    agd_mgy: r.agdMgy ?? null,
    administered_activity_mbq: r.administeredActivityMbq ?? null,
    details: r.details,
    source_kind: e.sourceKind,
    device_id: e.deviceId,
  };
}

const EVENT_RECORDSET = `json_to_recordset($1::json) AS t(ord integer, study_id bigint, irradiation_event_uid text,
  local_time text, source_object_id bigint, modality text, event_kind text, acquisition_protocol text,
  target_region text, ctdivol_mgy double precision, dlp_mgycm double precision, dap_gycm2 double precision,
  dose_rp_gy double precision, agd_mgy double precision, administered_activity_mbq double precision, details jsonb,
  source_kind text, device_id bigint)`;

/**
 * Inserts new events and refreshes known ones (a later cumulative report restates them), in input
 * order: of several rows with one key, the first is recorded and the later ones restate it, exactly
 * as upserting them one by one would. Returns, for each input row, whether it added an event (only
 * the first row of a new key does). The month partitions must exist already (see ensurePartitions).
 * `mayExist` false (every study was created in this transaction) skips looking for known events.
 * Callers hold the studies' row locks, so no other transaction writes these keys meanwhile.
 */
export async function upsertEventRows(
  db: QueryRunner,
  events: readonly BoundEvent[],
  timeZone: string,
  mayExist: boolean,
): Promise<boolean[]> {
  const merged = new Map<string, { event: BoundEvent; firstIndex: number }>();
  events.forEach((event, index) => {
    const key = boundEventKey(event);
    const seen = merged.get(key);
    if (seen) seen.event = restate(seen.event, event);
    else merged.set(key, { event, firstIndex: index });
  });
  const unique = [...merged.values()];
  if (unique.length === 0) return [];
  const records = unique.map((u, ord) => eventRecord(u.event, ord));
  const known = mayExist ? await restateKnown(db, records, timeZone) : new Set<number>();
  const fresh = records.filter((r) => !known.has(r.ord as number));
  const inserted = new Set<number>();
  if (fresh.length > 0) {
    const { rows } = await db.query<{ study_id: string | number; irradiation_event_uid: string }>({
      // ON CONFLICT only guards against two local times naming one instant in ways the key did not see.
      text: `
      INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, source_object_id, modality, event_kind,
        acquisition_protocol, target_region, ctdivol_mgy, dlp_mgycm, dap_gycm2, dose_rp_gy, agd_mgy, administered_activity_mbq,
        details, source_kind, device_id)
      SELECT t.local_time::timestamp AT TIME ZONE $2, t.study_id, t.irradiation_event_uid, t.source_object_id, t.modality,
        t.event_kind, t.acquisition_protocol, t.target_region, t.ctdivol_mgy, t.dlp_mgycm, t.dap_gycm2, t.dose_rp_gy,
        t.agd_mgy, t.administered_activity_mbq, t.details, t.source_kind, t.device_id
      FROM ${EVENT_RECORDSET}
      ORDER BY t.ord
      ON CONFLICT (study_id, irradiation_event_uid, occurred_at) DO NOTHING
      RETURNING study_id, irradiation_event_uid`,
      values: [JSON.stringify(fresh), timeZone],
    });
    // A row that hit the conflict added nothing. Rows go in in ord order, so of several with one
    // event UID, the first ones are those that were inserted.
    const left = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.study_id}\u001f${r.irradiation_event_uid}`;
      left.set(key, (left.get(key) ?? 0) + 1);
    }
    for (const r of fresh) {
      const key = `${String(r.study_id)}\u001f${String(r.irradiation_event_uid)}`;
      const n = left.get(key) ?? 0;
      if (n > 0) {
        left.set(key, n - 1);
        inserted.add(r.ord as number);
      }
    }
  }
  // A row that met an event inserted just before it (the same instant written another way) restates
  // it, as it would have one by one; one at a time, in order, so the last one's values stay.
  for (const r of fresh) if (!inserted.has(r.ord as number)) await restateKnown(db, [r], timeZone);
  const added = events.map(() => false);
  unique.forEach((u, ord) => {
    if (inserted.has(ord)) added[u.firstIndex] = true;
  });
  return added;
}

/** Refreshes the stored events the records restate (same study, key and instant); returns their ords. */
async function restateKnown(
  db: QueryRunner,
  records: ReadonlyArray<Record<string, unknown>>,
  timeZone: string,
): Promise<Set<number>> {
  const updated = await db.query<{ ord: number }>({
    text: `
    UPDATE irradiation_events e SET
      source_object_id = t.source_object_id, ctdivol_mgy = t.ctdivol_mgy, dlp_mgycm = t.dlp_mgycm,
      dap_gycm2 = t.dap_gycm2, dose_rp_gy = t.dose_rp_gy, agd_mgy = t.agd_mgy,
      administered_activity_mbq = t.administered_activity_mbq, details = t.details
    FROM ${EVENT_RECORDSET}
    WHERE e.study_id = t.study_id AND e.irradiation_event_uid = t.irradiation_event_uid
      AND e.occurred_at = t.local_time::timestamp AT TIME ZONE $2
    RETURNING t.ord`,
    values: [JSON.stringify(records), timeZone],
  });
  return new Set(updated.rows.map((r) => r.ord));
}

/** Upserts the events of one report; returns how many were new. */
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
  const added = await upsertEventRows(db, bindEvents(rows, refs), refs.timeZone, true);
  return added.filter(Boolean).length;
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

/** Events of outranked sources leave the study (source precedence, ingest/store/merge.ts). */
export async function dropEventsOfSources(
  db: QueryRunner,
  studyId: number,
  sourceKinds: readonly string[],
): Promise<void> {
  if (sourceKinds.length === 0) return;
  await db.query({
    text: 'DELETE FROM irradiation_events WHERE study_id = $1 AND source_kind = ANY($2::text[])',
    values: [studyId, sourceKinds],
  });
}
