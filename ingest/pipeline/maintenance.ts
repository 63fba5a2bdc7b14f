import type { QueryRunner } from '../../core/index.ts';
import { deleteStudyEvents, eventRows, type EventRow } from '../store/events.ts';
import { findTrust, type Trust } from '../store/reference.ts';
import { listOpenQuarantine, markQuarantineRetried, type QuarantineEntry } from '../store/sources.ts';
import { devicesCommitted, ensurePartitions, inTransaction, zonesOf, type IngestContext } from './ingest-context.ts';
import type { ObjectStore } from './object-store.ts';
import { prepareObject } from './prepare.ts';
import { mergeReport } from './record-object.ts';
import type { IngestOutcome, IngestService, PreparedObject, Transport } from './types.ts';

/**
 * Operator actions on what was received: retry the quarantine (after an extractor fix, or once a
 * sender's problem is understood) and re-extract stored objects after an extractor upgrade.
 */
export interface RetryResult {
  readonly entry: QuarantineEntry;
  readonly outcome: IngestOutcome;
}

export interface RetryDependencies {
  readonly db: QueryRunner;
  readonly objects: ObjectStore;
  readonly ingest: IngestService;
}

/**
 * Runs one open entry's stored bytes through ingest again, as its transport sent them. Undefined when
 * the entry has no stored bytes (nothing to retry).
 */
export async function retryQuarantineEntry(
  deps: RetryDependencies,
  entry: QuarantineEntry,
): Promise<RetryResult | undefined> {
  if (!entry.storagePath) return undefined;
  const bytes = await deps.objects.read(entry.storagePath);
  const outcome = await deps.ingest.ingestObject({
    bytes,
    transport: entry.transport as Transport,
    sender: entry.sender ?? undefined,
    trustCode: entry.trustCode,
  });
  // The same bytes land on the same open entry again when they still fail; anything else resolves it.
  const stillBroken = outcome.status === 'quarantined' && outcome.quarantineId === entry.quarantineId;
  await markQuarantineRetried(deps.db, entry.quarantineId, !stillBroken);
  return { entry, outcome };
}

/** Every trust's open entries (the operator's `kerma quarantine --retry`), up to `batch` of them. */
export async function retryQuarantine(deps: RetryDependencies, batch = 500): Promise<RetryResult[]> {
  const results: RetryResult[] = [];
  for (const entry of await listOpenQuarantine(deps.db, batch, 0)) {
    const result = await retryQuarantineEntry(deps, entry);
    if (result) results.push(result);
  }
  return results;
}

interface StoredObject {
  readonly source_object_id: number;
  readonly storage_path: string;
  readonly trust_id: number | null;
}

interface Reextracted {
  readonly sourceObjectId: number;
  readonly trust: Trust;
  readonly prepared: PreparedObject;
  readonly rows: EventRow[];
}

/** A study that keeps receiving objects while it is rebuilt: give up after this many rounds. */
const REPROCESS_ATTEMPTS = 5;

async function storedObjects(db: QueryRunner, studyId: number): Promise<StoredObject[]> {
  const { rows } = await db.query<StoredObject>({
    text: `SELECT source_object_id, storage_path, trust_id FROM source_objects
           WHERE study_id = $1 AND status = 'extracted' ORDER BY received_at, source_object_id`,
    values: [studyId],
  });
  return rows;
}

/** Extracts the objects again from their stored bytes (outside any transaction: CPU and disk). */
async function reextract(ctx: IngestContext, objects: readonly StoredObject[]): Promise<Reextracted[]> {
  const items: Reextracted[] = [];
  for (const row of objects) {
    const prepared = prepareObject(await ctx.objects.read(row.storage_path));
    if (!prepared.extraction)
      throw new Error(`object ${row.source_object_id} no longer extracts: ${prepared.failure?.message ?? 'unknown'}`);
    const trust = (await trustById(ctx.db, row.trust_id)) ?? (await findTrust(ctx.db, 'DEFAULT'));
    if (!trust) throw new Error('the DEFAULT trust is missing: run migrations');
    const rows = eventRows(prepared.extraction.report);
    await ensurePartitions(ctx, [{ report: prepared.extraction.report, rows, zones: zonesOf(ctx, trust) }]);
    items.push({ sourceObjectId: row.source_object_id, trust, prepared, rows });
  }
  return items;
}

/**
 * Re-extracts every object of a study from its stored bytes (after an extractor upgrade) and merges
 * them again, in the order they arrived, in one transaction: the study never shows half a rebuild.
 * If any object no longer extracts, nothing changes and the error says which. The object list is
 * read again under the study's row lock: an object merged since it was first read would otherwise
 * lose its events to the rebuild's delete; then the rebuild starts over with it.
 */
export async function reprocessStudy(
  ctx: IngestContext,
  studyId: number,
): Promise<{ reports: number; events: number }> {
  for (let attempt = 0; attempt < REPROCESS_ATTEMPTS; attempt += 1) {
    const objects = await storedObjects(ctx.db, studyId);
    const items = await reextract(ctx, objects);
    const tx = inTransaction(ctx);
    const rebuilt = await ctx.transaction(async (db) => {
      await db.query({ text: 'SELECT 1 FROM studies WHERE study_id = $1 FOR UPDATE', values: [studyId] });
      const now = await storedObjects(db, studyId);
      const same =
        now.length === objects.length && now.every((o, i) => o.source_object_id === objects[i]?.source_object_id);
      return same ? rebuild(db, tx, studyId, items) : undefined;
    });
    devicesCommitted(tx);
    if (rebuilt) return rebuilt;
  }
  throw new Error(`study ${studyId} kept receiving objects during ${REPROCESS_ATTEMPTS} rebuilds: try again later`);
}

async function rebuild(
  db: QueryRunner,
  ctx: IngestContext,
  studyId: number,
  items: readonly Reextracted[],
): Promise<{ reports: number; events: number }> {
  // Events and their keys go together: the rebuild reads each time again (an explicit re-zone).
  await deleteStudyEvents(db, studyId);
  await db.query({ text: 'DELETE FROM study_reports WHERE study_id = $1', values: [studyId] });
  let events = 0;
  for (const item of items) {
    const extraction = item.prepared.extraction!;
    const merged = await mergeReport(db, ctx, item.trust, item.sourceObjectId, extraction.report, item.rows);
    if (merged.outcome.status === 'stored') events += merged.outcome.eventsAdded;
    await db.query({
      text: 'UPDATE source_objects SET extractor = $2, extractor_version = $3, warnings = $4 WHERE source_object_id = $1',
      values: [item.sourceObjectId, extraction.extractor, extraction.extractorVersion, extraction.report.warnings],
    });
  }
  return { reports: items.length, events };
}

async function trustById(db: QueryRunner, trustId: number | null): Promise<Trust | undefined> {
  if (trustId === null) return undefined;
  const { rows } = await db.query<{ code: string }>({
    text: 'SELECT code FROM trusts WHERE trust_id = $1',
    values: [trustId],
  });
  return rows[0] ? findTrust(db, rows[0].code) : undefined;
}
