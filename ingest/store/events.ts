import { createHash } from 'node:crypto';
import type { QueryRunner } from '../../core/index.ts';
import type { DoseReport } from '../extract/types.ts';
import { columnList, columnsOf, recordsetDefinition, type Column } from './columns.ts';
import { instantOf, timeFrame, type ZoneSettings } from './instants.ts';

/**
 * Irradiation events as stored rows. One row per CT acquisition, projection exposure or
 * radiopharmaceutical administration; `details` keeps the whole normalised event.
 */
export interface EventRow {
  readonly eventUid: string;
  /** Device-local ISO datetime, or undefined (then the study's time is used). */
  readonly localTime: string | undefined;
  /** The local time's own offset (`±HH:MM`, a DT suffix), when it has one. */
  readonly utcOffset: string | undefined;
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
      utcOffset: e.dateTimeStartedUtcOffset,
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
      utcOffset: e.dateTimeStartedUtcOffset,
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
      utcOffset: a.radiopharmaceuticalStartDatetimeUtcOffset,
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
 * The instant of each event row: its own DT offset, else the object's (0008,0201), else the trust's or
 * the deployment's zone (instants.ts). A row without a time takes the study's; without either, a
 * placeholder (the default partition).
 */
export function eventInstants(report: DoseReport, rows: readonly EventRow[], zones: ZoneSettings): string[] {
  const frame = timeFrame(report.study.utcOffset, zones);
  const studyTime = studyLocalTime(report) ?? FALLBACK_EVENT_TIME;
  return rows.map((row) =>
    row.localTime
      ? instantOf(row.localTime, row.utcOffset ? timeFrame(row.utcOffset, zones) : frame)
      : instantOf(studyTime, frame),
  );
}

/** An event row bound to its study, object and device: one row of irradiation_events to write. */
export interface BoundEvent {
  readonly studyId: number;
  /** The object that reported it; undefined for an event loaded without one (synthetic bulk load). */
  readonly sourceObjectId: number | undefined;
  readonly deviceId: number;
  readonly sourceKind: string;
  /** The event's instant (ISO with offset, from eventInstants). */
  readonly occurredAt: string;
  readonly row: EventRow;
}

export function bindEvents(
  rows: readonly EventRow[],
  instants: readonly string[],
  refs: { studyId: number; sourceObjectId: number | undefined; deviceId: number; sourceKind: string },
): BoundEvent[] {
  return rows.map((row, i) => ({
    studyId: refs.studyId,
    sourceObjectId: refs.sourceObjectId,
    deviceId: refs.deviceId,
    sourceKind: refs.sourceKind,
    occurredAt: instants[i]!,
    row,
  }));
}

/**
 * An event's identity: its study and key (the Irradiation Event UID, or the key eventKey derives from
 * the object's content). Never its time, which depends on the zone configured when it was first read.
 */
const boundEventKey = (e: BoundEvent): string => `${e.studyId}\u001f${e.row.eventUid}`;

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

/** One row of irradiation_events as the store writes it (event_id is the table's own). */
export interface EventRecord {
  readonly study_id: number;
  readonly irradiation_event_uid: string;
  /** ISO with offset (eventInstants). */
  readonly occurred_at: string;
  readonly source_object_id: number | null;
  readonly modality: string;
  readonly event_kind: EventRow['eventKind'];
  readonly acquisition_protocol: string | null;
  readonly target_region: string | null;
  readonly ctdivol_mgy: number | null;
  readonly dlp_mgycm: number | null;
  readonly dap_gycm2: number | null;
  readonly dose_rp_gy: number | null;
  readonly agd_mgy: number | null;
  readonly administered_activity_mbq: number | null;
  readonly details: unknown;
  readonly source_kind: string;
  readonly device_id: number;
}

/** The columns of EventRecord with their SQL types, in the order every writer of events uses. */
export const EVENT_COLUMNS: readonly Column[] = columnsOf({
  study_id: 'bigint',
  irradiation_event_uid: 'text',
  occurred_at: 'timestamptz',
  source_object_id: 'bigint',
  modality: 'text',
  event_kind: 'text',
  acquisition_protocol: 'text',
  target_region: 'text',
  ctdivol_mgy: 'double precision',
  dlp_mgycm: 'double precision',
  dap_gycm2: 'double precision',
  dose_rp_gy: 'double precision',
  agd_mgy: 'double precision',
  administered_activity_mbq: 'double precision',
  details: 'jsonb',
  source_kind: 'text',
  device_id: 'bigint',
} satisfies Record<keyof EventRecord, string>);

/** The identity row of each event in irradiation_event_keys (ADR 0005): the columns it shares with the event. */
export const EVENT_KEY_COLUMNS: readonly Column[] = EVENT_COLUMNS.filter((c) =>
  ['study_id', 'irradiation_event_uid', 'occurred_at'].includes(c.name),
);

export function eventRecord(e: BoundEvent): EventRecord {
  const r = e.row;
  return {
    study_id: e.studyId,
    irradiation_event_uid: r.eventUid,
    occurred_at: e.occurredAt,
    source_object_id: e.sourceObjectId ?? null,
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

type OrderedRecord = EventRecord & { readonly ord: number };

const EVENT_RECORDSET = `json_to_recordset($1::json) AS t(ord integer, ${recordsetDefinition(EVENT_COLUMNS)})`;

/**
 * Several rows with one key (study and event key) as one event, in input order: the first is
 * recorded and the later ones restate it, exactly as upserting them one by one would. Each event
 * comes with the index of its first row.
 */
export function uniqueEvents(events: readonly BoundEvent[]): Array<{ event: BoundEvent; firstIndex: number }> {
  const merged = new Map<string, { event: BoundEvent; firstIndex: number }>();
  events.forEach((event, index) => {
    const key = boundEventKey(event);
    const seen = merged.get(key);
    if (seen) seen.event = restate(seen.event, event);
    else merged.set(key, { event, firstIndex: index });
  });
  return [...merged.values()];
}

/**
 * Inserts new events and refreshes known ones (a later cumulative report restates them), in input
 * order: of several rows with one key, the first is recorded and the later ones restate it, exactly
 * as upserting them one by one would. Returns, for each input row, whether it added an event (only
 * the first row of a new key does). The month partitions must exist already (see ensurePartitions).
 *
 * An event is known by (study, key) alone, through irradiation_event_keys (ADR 0005): the events
 * table must carry its time column in every unique index, so its own key cannot say "this UID once".
 * A known event keeps the time it was first stored at, whatever zone a later arrival was read in.
 * `mayExist` false (every study was created in this transaction) skips looking for known events.
 * Callers hold the studies' row locks, so no other transaction writes these keys meanwhile.
 */
export async function upsertEventRows(
  db: QueryRunner,
  events: readonly BoundEvent[],
  mayExist: boolean,
): Promise<boolean[]> {
  const unique = uniqueEvents(events);
  if (unique.length === 0) return [];
  const records = unique.map((u, ord): OrderedRecord => ({ ord, ...eventRecord(u.event) }));
  const known = mayExist ? await restateKnownEvents(db, records) : new Set<number>();
  const fresh = records.filter((r) => !known.has(r.ord));
  if (fresh.length > 0) await insertNewEvents(db, fresh);
  const added = events.map(() => false);
  unique.forEach((u, ord) => {
    if (!known.has(ord)) added[u.firstIndex] = true;
  });
  return added;
}

/** Refreshes the events already stored under these keys, at the time stored; returns their ords. */
async function restateKnownEvents(db: QueryRunner, records: readonly OrderedRecord[]): Promise<Set<number>> {
  const updated = await db.query<{ ord: number }>({
    text: `
    UPDATE irradiation_events e SET
      source_object_id = t.source_object_id, ctdivol_mgy = t.ctdivol_mgy, dlp_mgycm = t.dlp_mgycm,
      dap_gycm2 = t.dap_gycm2, dose_rp_gy = t.dose_rp_gy, agd_mgy = t.agd_mgy,
      administered_activity_mbq = t.administered_activity_mbq, details = t.details
    FROM ${EVENT_RECORDSET}
    JOIN irradiation_event_keys k ON k.study_id = t.study_id AND k.irradiation_event_uid = t.irradiation_event_uid
    WHERE e.study_id = k.study_id AND e.irradiation_event_uid = k.irradiation_event_uid AND e.occurred_at = k.occurred_at
    RETURNING t.ord`,
    values: [JSON.stringify(records)],
  });
  return new Set(updated.rows.map((r) => r.ord));
}

/**
 * Claims the keys, then writes the events. A key left without its event (a row deleted by hand)
 * takes the new time, so the key table never hides an event that is not there.
 */
async function insertNewEvents(db: QueryRunner, records: readonly OrderedRecord[]): Promise<void> {
  const values = [JSON.stringify(records)];
  await db.query({
    text: `
    INSERT INTO irradiation_event_keys (${columnList(EVENT_KEY_COLUMNS)})
    SELECT ${columnList(EVENT_KEY_COLUMNS, 't.')} FROM ${EVENT_RECORDSET}
    ORDER BY t.study_id, t.irradiation_event_uid
    ON CONFLICT (study_id, irradiation_event_uid) DO UPDATE SET occurred_at = EXCLUDED.occurred_at`,
    values,
  });
  await db.query({
    text: `
    INSERT INTO irradiation_events (${columnList(EVENT_COLUMNS)})
    SELECT ${columnList(EVENT_COLUMNS, 't.')} FROM ${EVENT_RECORDSET}
    ORDER BY t.ord`,
    values,
  });
}

/** Upserts the events of one report; returns how many were new. */
export async function upsertEvents(
  db: QueryRunner,
  refs: { studyId: number; sourceObjectId: number; deviceId: number; sourceKind: string },
  rows: readonly EventRow[],
  instants: readonly string[],
): Promise<number> {
  const added = await upsertEventRows(db, bindEvents(rows, instants, refs), true);
  return added.filter(Boolean).length;
}

/** Deletes a study's events and their keys (reprocessing rebuilds them from the stored objects). */
export async function deleteStudyEvents(db: QueryRunner, studyId: number): Promise<void> {
  await db.query({ text: 'DELETE FROM irradiation_event_keys WHERE study_id = $1', values: [studyId] });
  await db.query({ text: 'DELETE FROM irradiation_events WHERE study_id = $1', values: [studyId] });
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
    text: `
    WITH dropped AS (
      DELETE FROM irradiation_events
      WHERE study_id = $1 AND source_kind = ANY($2::text[])
      RETURNING study_id, irradiation_event_uid)
    DELETE FROM irradiation_event_keys k USING dropped d
    WHERE k.study_id = d.study_id AND k.irradiation_event_uid = d.irradiation_event_uid`,
    values: [studyId, sourceKinds],
  });
}
