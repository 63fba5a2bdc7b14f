import {
  UnavailableError,
  loggableError,
  type Logger,
  type QueryRunner,
  type TransactionRunner,
} from '../../core/index.ts';
import type { NotPatientPatterns } from '../extract/not-patient.ts';
import type { DoseReport } from '../extract/types.ts';
import { eventInstants, type EventRow } from '../store/events.ts';
import { utcMonth, type ZoneSettings } from '../store/instants.ts';
import { deviceFingerprint, findTrust, touchDevice, upsertDevice, type Trust } from '../store/reference.ts';
import type { ObjectStore } from './object-store.ts';
import { STUDY_UPDATED_CHANNEL } from './study-events.ts';
import type { PreparedObject } from './types.ts';

/** What the ingest use case needs from the outside (the composition root builds it). */
export interface IngestDependencies {
  readonly transaction: TransactionRunner;
  /** Runs statements outside any transaction (partition creation must not share one). */
  readonly db: QueryRunner;
  readonly objects: ObjectStore;
  readonly logger: Logger;
  readonly patientIdSecret: string;
  /**
   * Deployment time zone (KERMA_TIMEZONE): DICOM dates and times are device-local; an object that
   * states no offset, from a trust whose entry names no zone, is read in this one.
   */
  readonly timeZone: string;
  readonly notPatientPatterns: NotPatientPatterns;
  /** Called after each commit that changed a study ("study updated"): analytics and alerts subscribe. */
  readonly onStudyUpdated?: (event: StudyUpdatedEvent) => void;
  /**
   * Runs inside the ingest transaction once its studies and events are written, so what it derives
   * (the standard procedure mapping) commits or rolls back with them; never sees a half-stored study.
   */
  readonly onStudiesRecorded?: (db: QueryRunner, studyIds: readonly number[]) => Promise<void>;
}

export interface StudyUpdatedEvent {
  readonly studyId: number;
  readonly studyInstanceUid: string;
}

/**
 * Trusts and devices change rarely but are read for every object: a bulk import of 100,000 reports
 * from a dozen rooms would otherwise spend a fifth of its round trips on them. Entries live for a
 * minute, so a renamed trust or a new "last seen" shows within that time.
 */
const CACHE_MS = 60_000;
interface Caches {
  readonly trust: Map<string, { trust: Trust | undefined; at: number }>;
  readonly device: Map<string, { deviceId: number; at: number }>;
  /** Months whose event partition is known to exist (plain PostgreSQL; a no-op on TimescaleDB). */
  readonly partitions: Set<string>;
}

/** The dependencies plus per-service caches (never shared between services: ids are per database). */
export type IngestContext = IngestDependencies & {
  readonly caches: Caches;
  /** Devices to mark as seen once the transaction has committed. */
  readonly touched: Array<{ deviceId: number; softwareVersions: string | undefined }>;
  /**
   * Devices found or made inside one open transaction (see inTransaction): they join the shared
   * cache only once it commits. Absent outside a transaction, where each statement commits at once.
   */
  readonly pendingDevices?: Map<string, number>;
};

export function ingestContext(dependencies: IngestDependencies): IngestContext {
  return { ...dependencies, caches: { trust: new Map(), device: new Map(), partitions: new Set() }, touched: [] };
}

/**
 * The context for one transaction. A device row made inside it does not exist for anyone else
 * until it commits, and never if it rolls back: a concurrent ingest given its id from the shared
 * cache would fail on the foreign key (or wait, then fail). Call devicesCommitted after the commit.
 */
export function inTransaction(ctx: IngestContext): IngestContext {
  return { ...ctx, pendingDevices: new Map() };
}

export function devicesCommitted(tx: IngestContext): void {
  const at = Date.now();
  for (const [key, deviceId] of tx.pendingDevices ?? []) tx.caches.device.set(key, { deviceId, at });
  tx.pendingDevices?.clear();
}

/** Database errors that mean "cannot store now, retry later" rather than "this object is bad". */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return (
    error instanceof UnavailableError ||
    /^(08|53|57P0[1-3])/.test(code) ||
    // "not queryable": a client whose connection was lost between two statements of a transaction.
    /ECONNREFUSED|ECONNRESET|timeout|terminat|not queryable/i.test(String((error as Error).message))
  );
}

async function cachedTrust(ctx: IngestContext, db: QueryRunner, code: string): Promise<Trust | undefined> {
  const trustCache = ctx.caches.trust;
  const hit = trustCache.get(code);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.trust;
  const trust = await findTrust(db, code);
  if (trust) trustCache.set(code, { trust, at: Date.now() });
  return trust;
}

/** The sender's trust, or the DEFAULT trust when the code is unknown. */
export async function senderTrust(ctx: IngestContext, db: QueryRunner, code: string): Promise<Trust> {
  const trust = (await cachedTrust(ctx, db, code)) ?? (await cachedTrust(ctx, db, 'DEFAULT'));
  if (!trust) throw new Error('the DEFAULT trust is missing: run migrations');
  return trust;
}

export async function cachedDevice(
  ctx: IngestContext,
  db: QueryRunner,
  report: DoseReport,
  trustId: number,
): Promise<number> {
  const deviceCache = ctx.caches.device;
  const key = `${trustId}:${deviceFingerprint(report.device)}`;
  const hit = deviceCache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.deviceId;
  const pending = ctx.pendingDevices?.get(key);
  if (pending !== undefined) return pending;
  const deviceId = await upsertDevice(db, report.device, trustId);
  if (ctx.pendingDevices) ctx.pendingDevices.set(key, deviceId);
  else deviceCache.set(key, { deviceId, at: Date.now() });
  ctx.touched.push({ deviceId, softwareVersions: report.device.softwareVersions });
  return deviceId;
}

export async function touchSeenDevices(ctx: IngestContext): Promise<void> {
  for (const seen of ctx.touched.splice(0)) {
    await touchDevice(ctx.db, seen.deviceId, seen.softwareVersions).catch((error: unknown) =>
      ctx.logger.warn({ deviceId: seen.deviceId, err: loggableError(error) }, 'could not record device last seen'),
    );
  }
}

/** How the local times of a trust's objects are read (instants.ts). */
export function zonesOf(ctx: IngestContext, trust: Trust): ZoneSettings {
  return { trustZone: trust.timeZone, defaultZone: ctx.timeZone };
}

/** A report's events with their instants, as the store will write them. */
export interface TimedEvents {
  readonly report: DoseReport;
  readonly rows: readonly EventRow[];
  readonly zones: ZoneSettings;
}

/**
 * Creates the month partitions the events need, each in its own short transaction before the ingest
 * transaction: CREATE TABLE … PARTITION OF locks the parent table, and doing it inside the ingest
 * transaction deadlocks concurrent ingests. Partitions are UTC months; the months come from the very
 * instants the rows are written with (eventInstants), so a row never misses its partition (before,
 * the local month was used, and 00:30 BST on the 1st, still the previous UTC month, went to the
 * default partition). A no-op on TimescaleDB.
 */
export async function ensurePartitions(ctx: IngestContext, items: readonly TimedEvents[]): Promise<void> {
  const months = new Map<string, string>();
  for (const { report, rows, zones } of items)
    for (const instant of eventInstants(report, rows, zones)) months.set(utcMonth(instant), instant);
  for (const [month, instant] of months) {
    // Partitions are never dropped: a month made once needs no round trip again in this process.
    if (ctx.caches.partitions.has(month)) continue;
    await ctx.db.query({ text: 'SELECT kerma_ensure_event_partition($1::timestamptz)', values: [instant] });
    ctx.caches.partitions.add(month);
  }
}

/** The timed events of prepared objects (none for an object without a report). */
export async function timedEventsOf(
  ctx: IngestContext,
  items: ReadonlyArray<{ request: { trustCode: string }; prepared: PreparedObject; rows: readonly EventRow[] }>,
): Promise<TimedEvents[]> {
  const timed: TimedEvents[] = [];
  for (const { request, prepared, rows } of items) {
    const report = prepared.extraction?.report;
    if (report) timed.push({ report, rows, zones: zonesOf(ctx, await senderTrust(ctx, ctx.db, request.trustCode)) });
  }
  return timed;
}

/**
 * The end of recording studies in a transaction: the in-transaction hook (onStudiesRecorded), then
 * "study updated" for every listening instance (PostgreSQL delivers the notifications at commit).
 */
export async function studiesRecorded(
  db: QueryRunner,
  ctx: IngestContext,
  events: readonly StudyUpdatedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await ctx.onStudiesRecorded?.(
    db,
    events.map((e) => e.studyId),
  );
  await notifyStudiesUpdated(db, events);
}

/** "Study updated" for every listening instance; PostgreSQL delivers the notifications at commit. */
export async function notifyStudiesUpdated(db: QueryRunner, events: readonly StudyUpdatedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query({
    text: 'SELECT pg_notify($1, p) FROM json_array_elements_text($2::json) AS p',
    values: [
      STUDY_UPDATED_CHANNEL,
      JSON.stringify(events.map((e) => JSON.stringify({ studyId: e.studyId, studyInstanceUid: e.studyInstanceUid }))),
    ],
  });
}
