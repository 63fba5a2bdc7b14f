import { UnavailableError, loggableError, toError, type QueryRunner } from '../../core/index.ts';
import { eventRows, type EventRow } from '../store/events.ts';
import type { DoseReport } from '../extract/types.ts';
import { deviceFingerprint, findTrust, type Trust } from '../store/reference.ts';
import {
  cachedDevice,
  ensurePartitions,
  ingestContext,
  senderTrust,
  isUnavailable,
  touchSeenDevices,
  type IngestContext,
  type IngestDependencies,
  type StudyUpdatedEvent,
} from './ingest-context.ts';
import { prepareObject } from './prepare.ts';
import { recordBatch } from './record-batch.ts';
import { mergeReport, recordObject, withEventRows, type RecordItem } from './record-object.ts';
import type { IngestOutcome, IngestRequest, IngestService, PreparedCommit, PreparedObject } from './types.ts';

export type { IngestDependencies } from './ingest-context.ts';
export type { PreparedCommit } from './types.ts';

/** Closures over one context: the methods can be passed around on their own. */
export interface FullIngestService extends IngestService {
  /** Commits one prepared object in its own transaction. */
  readonly commitPrepared: (
    request: Omit<IngestRequest, 'bytes'>,
    prepared: PreparedObject,
    storagePath: string,
  ) => Promise<IngestOutcome>;
  /**
   * Commits many prepared objects in one transaction (the bulk importer's path). Returns, per object
   * and in order, its outcome or the error that kept it out: when the batch as a whole fails for one
   * object (or collides with a concurrent writer), each object is committed on its own so that the
   * others still land. Throws UnavailableError when the database cannot be reached: nothing was stored.
   */
  readonly commitPreparedBatch: (items: readonly PreparedCommit[]) => Promise<Array<IngestOutcome | Error>>;
  readonly reprocessStudy: (studyId: number) => Promise<{ reports: number; events: number }>;
}

function unavailable(error: unknown): UnavailableError {
  return new UnavailableError(`database unavailable: ${toError(error).message}`, undefined, { cause: error });
}

export function createIngestService(dependencies: IngestDependencies): FullIngestService {
  const ctx = ingestContext(dependencies);
  const announce = (events: readonly StudyUpdatedEvent[]): void => {
    for (const event of events) ctx.onStudyUpdated?.(event);
  };

  async function commitItem(item: RecordItem): Promise<IngestOutcome> {
    try {
      await ensurePartitions(ctx, [item]);
      const { outcome, studyUpdated } = await ctx.transaction((db) => recordObject(db, ctx, item));
      if (studyUpdated) announce([studyUpdated]);
      await touchSeenDevices(ctx);
      return outcome;
    } catch (error) {
      // A device row created by the rolled-back transaction does not exist: forget cached ids.
      ctx.caches.device.clear();
      if (isUnavailable(error)) throw unavailable(error);
      throw error;
    }
  }

  async function commitPreparedBatch(commits: readonly PreparedCommit[]): Promise<Array<IngestOutcome | Error>> {
    if (commits.length === 0) return [];
    const items = commits.map(withEventRows);
    try {
      await ensurePartitions(ctx, items);
      await ensureDevices(ctx, items);
      const { outcomes, studiesUpdated } = await ctx.transaction((db) => recordBatch(db, ctx, items));
      announce(studiesUpdated);
      await touchSeenDevices(ctx);
      return outcomes;
    } catch (error) {
      ctx.caches.device.clear();
      if (isUnavailable(error)) throw unavailable(error);
      if (commits.length === 1) return [toError(error)];
      ctx.logger.debug(
        { objects: commits.length, err: loggableError(error) },
        'batch commit failed: committing its objects one by one',
      );
      const results: Array<IngestOutcome | Error> = [];
      for (const item of items) results.push(await commitItem(item).catch((e: unknown) => toError(e)));
      return results;
    }
  }

  const commitPrepared = (request: Omit<IngestRequest, 'bytes'>, prepared: PreparedObject, storagePath: string) =>
    commitItem(withEventRows({ request, prepared, storagePath }));

  return {
    commitPrepared,
    commitPreparedBatch,
    reprocessStudy: (studyId) => reprocessStudy(ctx, studyId),
    async ingestObject(request) {
      const prepared = prepareObject(request.bytes);
      // Bytes first: once the database says "stored", the object must be on disk.
      const storagePath = await ctx.objects.put(prepared.sha256, request.bytes);
      return commitPrepared(request, prepared, storagePath);
    },
  };
}

/**
 * Creates the batch's new device rows before its transaction, each in its own statement, in one
 * order: inside the transaction, two batches from the same rooms would each hold one new row the
 * other waits for (a deadlock). A row made for a batch that then fails is a room that did send.
 */
async function ensureDevices(ctx: IngestContext, items: readonly RecordItem[]): Promise<void> {
  const devices = new Map<string, { report: DoseReport; trustCode: string }>();
  for (const item of items) {
    const report = item.prepared.extraction?.report;
    if (report)
      devices.set(`${item.request.trustCode}\u001f${deviceFingerprint(report.device)}`, {
        report,
        trustCode: item.request.trustCode,
      });
  }
  for (const key of [...devices.keys()].sort()) {
    const { report, trustCode } = devices.get(key)!;
    const trust = await senderTrust(ctx, ctx.db, trustCode);
    await cachedDevice(ctx, ctx.db, report, trust.trustId);
  }
}

/**
 * Re-extracts every object of a study from its stored bytes (after an extractor upgrade) and merges
 * them again, in the order they arrived, in one transaction: the study never shows half a rebuild.
 * If any object no longer extracts, nothing changes and the error says which.
 */
async function reprocessStudy(ctx: IngestContext, studyId: number): Promise<{ reports: number; events: number }> {
  const { rows } = await ctx.db.query<{ source_object_id: number; storage_path: string; trust_id: number | null }>({
    text: `SELECT source_object_id, storage_path, trust_id FROM source_objects
           WHERE study_id = $1 AND status = 'extracted' ORDER BY received_at, source_object_id`,
    values: [studyId],
  });
  const prepared: Array<{
    sourceObjectId: number;
    trustId: number | null;
    prepared: PreparedObject;
    rows: EventRow[];
  }> = [];
  for (const row of rows) {
    const object = prepareObject(await ctx.objects.read(row.storage_path));
    if (!object.extraction)
      throw new Error(`object ${row.source_object_id} no longer extracts: ${object.failure?.message ?? 'unknown'}`);
    const item = {
      sourceObjectId: row.source_object_id,
      trustId: row.trust_id,
      prepared: object,
      rows: eventRows(object.extraction.report),
    };
    await ensurePartitions(ctx, [item]);
    prepared.push(item);
  }
  return ctx.transaction(async (db) => {
    await db.query({ text: 'DELETE FROM irradiation_events WHERE study_id = $1', values: [studyId] });
    await db.query({ text: 'DELETE FROM study_reports WHERE study_id = $1', values: [studyId] });
    let events = 0;
    for (const item of prepared) {
      const extraction = item.prepared.extraction!;
      const trust = (await trustById(db, item.trustId)) ?? (await findTrust(db, 'DEFAULT'));
      if (!trust) throw new Error('the DEFAULT trust is missing: run migrations');
      const merged = await mergeReport(db, ctx, trust, item.sourceObjectId, extraction.report, item.rows);
      if (merged.outcome.status === 'stored') events += merged.outcome.eventsAdded;
      await db.query({
        text: 'UPDATE source_objects SET extractor = $2, extractor_version = $3, warnings = $4 WHERE source_object_id = $1',
        values: [item.sourceObjectId, extraction.extractor, extraction.extractorVersion, extraction.report.warnings],
      });
    }
    return { reports: prepared.length, events };
  });
}

async function trustById(db: QueryRunner, trustId: number | null): Promise<Trust | undefined> {
  if (trustId === null) return undefined;
  const { rows } = await db.query<{ code: string }>({
    text: 'SELECT code FROM trusts WHERE trust_id = $1',
    values: [trustId],
  });
  return rows[0] ? findTrust(db, rows[0].code) : undefined;
}
