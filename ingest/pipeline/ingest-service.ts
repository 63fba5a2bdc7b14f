import { UnavailableError, loggableError, toError } from '../../core/index.ts';
import type { DoseReport } from '../extract/types.ts';
import { deviceFingerprint } from '../store/reference.ts';
import {
  cachedDevice,
  devicesCommitted,
  ensurePartitions,
  inTransaction,
  ingestContext,
  senderTrust,
  isUnavailable,
  timedEventsOf,
  touchSeenDevices,
  type IngestContext,
  type IngestDependencies,
  type StudyUpdatedEvent,
} from './ingest-context.ts';
import { prepareObject } from './prepare.ts';
import { recordBatch } from './record-batch.ts';
import { reprocessStudy } from './maintenance.ts';
import { recordObject, withEventRows, type RecordItem } from './record-object.ts';
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
      await ensurePartitions(ctx, await timedEventsOf(ctx, [item]));
      const tx = inTransaction(ctx);
      const { outcome, studyUpdated } = await ctx.transaction((db) => recordObject(db, tx, item));
      devicesCommitted(tx);
      if (studyUpdated) announce([studyUpdated]);
      await touchSeenDevices(ctx);
      return outcome;
    } catch (error) {
      if (isUnavailable(error)) throw unavailable(error);
      throw error;
    }
  }

  async function commitPreparedBatch(commits: readonly PreparedCommit[]): Promise<Array<IngestOutcome | Error>> {
    if (commits.length === 0) return [];
    const items = commits.map(withEventRows);
    try {
      await ensurePartitions(ctx, await timedEventsOf(ctx, items));
      await ensureDevices(ctx, items);
      const tx = inTransaction(ctx);
      const { outcomes, studiesUpdated } = await ctx.transaction((db) => recordBatch(db, tx, items));
      devicesCommitted(tx);
      announce(studiesUpdated);
      await touchSeenDevices(ctx);
      return outcomes;
    } catch (error) {
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
