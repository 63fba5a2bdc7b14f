import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { UnavailableError, toError, type Logger } from '../../core/index.ts';
import type { ObjectStore } from '../pipeline/object-store.ts';
import type { FullIngestService } from '../pipeline/ingest-service.ts';
import type { IngestOutcome, PreparedCommit } from '../pipeline/types.ts';
import {
  AdaptiveConcurrency,
  Budget,
  DEFAULT_RETRY,
  Outage,
  untilStored,
  type RetryPolicy,
  type StoreControl,
} from './file-import-flow.ts';
import { CommitBatcher } from './file-import-batcher.ts';
import { ImportJournal } from './file-import-journal.ts';
import { ProgressTracker, type ImportProgress, type ImportSummary } from './file-import-progress.ts';
import { pollStableFiles } from './file-import-watch.ts';
import { PrepareWorkers, type PrepareReply } from './file-import-workers.ts';
import { countFiles, walkFiles, type FoundFile, type WalkItem } from './file-walk.ts';

export type { ImportFailure, ImportProgress, ImportSummary } from './file-import-progress.ts';
export type { RetryPolicy } from './file-import-flow.ts';

/**
 * Bulk import of DICOM files and folders (`kerma import`, and drop-folder watching): the file
 * transport of the one ingest use case. Worker threads read, prepare (hash + extract) and durably
 * store the files' raw bytes; the main thread commits them to the database in batches, then journals
 * each file so that an interrupted import resumes where it was. Everything between the walk and the
 * journal is bounded (count and bytes), so memory stays flat whatever the number of files.
 */
export type ImportIngest = Pick<FullIngestService, 'commitPreparedBatch' | 'commitPrepared'> & {
  readonly objects: ObjectStore;
};

export interface ImportOptions {
  readonly paths: readonly string[];
  readonly ingest: ImportIngest;
  readonly trustCode: string;
  readonly logger: Logger;
  /** Worker threads preparing files; default: the number of cores. */
  readonly workers?: number;
  /** Objects committed one by one at once, after a batch could not take them; default 8. */
  readonly commitConcurrency?: number;
  /** Objects per batch commit (default 250), and batches in the database at once (default 2). */
  readonly batch?: { readonly maxObjects?: number; readonly concurrent?: number };
  /** Resume journal; without it an interrupted import reads every file again (still idempotent). */
  readonly journal?: { readonly directory: string; readonly scope: string; readonly resume?: boolean };
  /** After the first pass, keep importing files that appear under the paths until the signal aborts. */
  readonly watch?: { readonly intervalMs?: number };
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly progressIntervalMs?: number;
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
  /** Larger files are reported as failed rather than read into memory. */
  readonly maxFileBytes?: number;
  /** Names this run in the stored data (sender `import:<runId>`) and in the journal; default random. */
  readonly runId?: string;
}

/**
 * Tuning. In flight per worker: enough that a worker parses its next files while the object store's
 * writes and fsyncs of earlier ones run in the thread pool; more only holds memory. The byte budget bounds memory when files are large.
 */
const QUEUED_PER_WORKER = 16;
const IN_FLIGHT_BYTES = 256 * 1024 * 1024;
/** Measured on 2 cores with the pool at 10: 8 concurrent commits reach the database's plateau. */
const DEFAULT_COMMIT_CONCURRENCY = 8;
/**
 * Measured with bench/import.ts on 2 cores: past ~250 objects a batch gains nothing (the statements'
 * per-row work dominates) and holds its row locks longer; two batches keep the database busy while
 * the main thread builds the next one.
 */
const DEFAULT_BATCH_OBJECTS = 250;
const DEFAULT_BATCH_CONCURRENCY = 2;
const DEFAULT_MAX_FILE_BYTES = 1024 * 1024 * 1024;
const DEFAULT_WATCH_INTERVAL_MS = 2000;
/** Failed files remembered in watch mode (so they are not retried at every tick until they change). */
const MAX_FAILED_REMEMBERED = 10_000;

class FatalImportError extends Error {}

interface Context {
  readonly options: ImportOptions;
  readonly workers: PrepareWorkers;
  readonly journal: ImportJournal | undefined;
  readonly progress: ProgressTracker;
  readonly outage: Outage;
  readonly control: StoreControl;
  readonly inFlight: Budget;
  readonly commits: Budget;
  readonly batcher: CommitBatcher<PreparedCommit>;
  readonly active: Set<string>;
  readonly failedFiles: Set<string>;
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly stop: (error: Error) => void;
  fatal: Error | undefined;
}

async function openJournal(options: ImportOptions, runId: string): Promise<ImportJournal | undefined> {
  const { journal, logger } = options;
  if (!journal) return options.watch ? ImportJournal.inMemory() : undefined;
  return ImportJournal.open({
    directory: journal.directory,
    scope: journal.scope,
    roots: options.paths,
    resume: journal.resume ?? true,
    remember: options.watch !== undefined,
    runId,
    onWriteError: (error) =>
      logger.warn({ err: error.message }, 'import journal write failed: a resumed import will read those files again'),
  });
}

async function openContext(options: ImportOptions): Promise<Context> {
  const workerCount = options.workers ?? availableParallelism();
  const maxCommits = options.commitConcurrency ?? DEFAULT_COMMIT_CONCURRENCY;
  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  // Every file waiting out an outage listens to it (hundreds with batch commits): not a leak.
  setMaxListeners(0, signal);
  // Folder and file names often carry patient names: stored and served data name the run, and only
  // the local journal ties the run to its paths.
  const runId = options.runId ?? randomBytes(6).toString('hex');
  const journal = await openJournal(options, runId);
  const outage = new Outage(options.logger);
  // Slow start: one commit at a time at first, growing while commits succeed (see AdaptiveConcurrency).
  const commits = new Budget(1, Number.POSITIVE_INFINITY);
  const batchObjects = options.batch?.maxObjects ?? DEFAULT_BATCH_OBJECTS;
  const batchConcurrency = options.batch?.concurrent ?? DEFAULT_BATCH_CONCURRENCY;
  const context: Context = {
    options,
    workers: new PrepareWorkers(workerCount, options.logger, { objectStoreRoot: options.ingest.objects.root }),
    journal,
    progress: new ProgressTracker(),
    outage,
    control: {
      outage,
      policy: options.retry ?? DEFAULT_RETRY,
      signal,
      concurrency: new AdaptiveConcurrency(commits, maxCommits),
    },
    inFlight: new Budget(
      workerCount * QUEUED_PER_WORKER + batchObjects * (batchConcurrency + 1) + maxCommits,
      IN_FLIGHT_BYTES,
    ),
    commits,
    batcher: new CommitBatcher((items) => options.ingest.commitPreparedBatch(items), batchObjects, batchConcurrency),
    active: new Set(),
    failedFiles: new Set(),
    signal,
    runId,
    stop: (error) => {
      context.fatal ??= error;
      internal.abort(error);
    },
    fatal: undefined,
  };
  options.logger.info(
    { runId, roots: options.paths.length, workers: workerCount, journal: journal?.path, journaled: journal?.size ?? 0 },
    'bulk import started',
  );
  return context;
}

const fileKey = (file: FoundFile): string => `${file.path}\0${file.size}\0${file.mtimeMs}`;

function fail(ctx: Context, file: FoundFile | { path: string }, reason: string): void {
  ctx.progress.failed(file.path, reason);
  if ('size' in file && ctx.options.watch && ctx.failedFiles.size < MAX_FAILED_REMEMBERED)
    ctx.failedFiles.add(fileKey(file));
}

/** Reads, prepares and stores the file's bytes in a worker; waits out a store that cannot write. */
async function prepare(ctx: Context, file: FoundFile): Promise<PrepareReply> {
  const maxBytes = ctx.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  return untilStored(
    async () => {
      const reply = await ctx.workers.prepare(file.path, maxBytes).catch((error: unknown) => {
        throw new FatalImportError(toError(error).message, { cause: error });
      });
      if (!reply.ok && reply.unavailable) throw new UnavailableError(reply.reason);
      return reply;
    },
    { ...ctx.control, concurrency: undefined },
  );
}

/**
 * The bytes are durable before this runs (the worker fsynced them): a committed object always has
 * them on disk. In a batch first; what the batch could not take, on its own with conflict retries.
 */
async function commit(
  ctx: Context,
  file: FoundFile,
  reply: Extract<PrepareReply, { ok: true }>,
): Promise<IngestOutcome> {
  const item: PreparedCommit = {
    request: { transport: 'file', sender: `import:${ctx.runId}`, trustCode: ctx.options.trustCode },
    prepared: reply.prepared,
    storagePath: reply.storagePath,
  };
  // Only per-object commits steer the per-object concurrency.
  const result = await untilStored(() => ctx.batcher.submit(item), { ...ctx.control, concurrency: undefined });
  if (!(result instanceof Error)) return result;
  return ctx.commits.run(0, () =>
    untilStored(() => ctx.options.ingest.commitPrepared(item.request, item.prepared, item.storagePath), ctx.control),
  );
}

async function processFile(ctx: Context, file: FoundFile): Promise<void> {
  ctx.active.add(file.path);
  try {
    const reply = await prepare(ctx, file);
    if (!reply.ok) return fail(ctx, file, reply.reason);
    const outcome = await commit(ctx, file, reply);
    ctx.progress.outcome(outcome.status);
    // What was read (size, mtime at read time), so that a file changed since is imported again.
    ctx.journal?.record({ path: file.path, size: reply.size, mtimeMs: reply.mtimeMs });
  } catch (error) {
    if (error instanceof FatalImportError) ctx.stop(error);
    // Interrupted (the caller aborted while it waited for the database): not done, not failed.
    else if (!ctx.signal.aborted) fail(ctx, file, toError(error).message);
  } finally {
    ctx.active.delete(file.path);
  }
}

/** Feeds files to processFile with at most the in-flight budget outstanding; waits for all to finish. */
async function runPass(
  ctx: Context,
  items: AsyncIterable<WalkItem>,
  settledBefore = Number.POSITIVE_INFINITY,
): Promise<void> {
  const tasks = new Set<Promise<void>>();
  for await (const item of items) {
    if (ctx.signal.aborted) break;
    if (item.kind === 'problem') {
      fail(ctx, item, item.reason);
      continue;
    }
    // Watch mode: a file still being written is left to the watcher, which waits until it is stable.
    if (item.mtimeMs > settledBefore) continue;
    if (ctx.journal?.has(item)) {
      ctx.progress.skipped();
      continue;
    }
    await ctx.inFlight.acquire(item.size);
    const task: Promise<void> = processFile(ctx, item).finally(() => {
      ctx.inFlight.release(item.size);
      tasks.delete(task);
    });
    tasks.add(task);
  }
  await Promise.all(tasks);
}

async function watchPass(ctx: Context, intervalMs: number): Promise<void> {
  ctx.progress.watching = true;
  ctx.progress.total = undefined;
  ctx.options.logger.info({ intervalMs }, 'watching for new files');
  const isKnown = (file: FoundFile): boolean =>
    ctx.active.has(file.path) || ctx.failedFiles.has(fileKey(file)) || (ctx.journal?.has(file) ?? false);
  await runPass(ctx, pollStableFiles(ctx.options.paths, { intervalMs, signal: ctx.signal, isKnown }));
}

function report(ctx: Context): void {
  ctx.options.onProgress?.(ctx.progress.snapshot(ctx.outage));
}

export async function importFiles(options: ImportOptions): Promise<ImportSummary> {
  const ctx = await openContext(options);
  const ticker = setInterval(() => report(ctx), options.progressIntervalMs ?? 500);
  try {
    countFiles(options.paths, ctx.signal).then(
      (total) => (ctx.progress.total = ctx.progress.watching ? undefined : total),
      () => undefined,
    );
    const watchIntervalMs = options.watch?.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    await runPass(
      ctx,
      walkFiles(options.paths, { signal: ctx.signal }),
      options.watch ? Date.now() - watchIntervalMs : undefined,
    );
    if (options.watch && !ctx.signal.aborted) await watchPass(ctx, watchIntervalMs);
  } finally {
    clearInterval(ticker);
    await ctx.workers.close();
    await ctx.journal?.close();
  }
  if (ctx.fatal) throw ctx.fatal;
  report(ctx);
  const summary = ctx.progress.summary(ctx.outage, options.signal?.aborted ?? false, ctx.journal?.path, ctx.runId);
  // Counts only: failure reasons name files, and paths may carry patient names.
  const { files, stored, duplicates, notDose, quarantined, failed, skipped, seconds, retries, conflicts, aborted } =
    summary;
  options.logger.info(
    { files, stored, duplicates, notDose, quarantined, failed, skipped, seconds, retries, conflicts, aborted },
    'bulk import finished',
  );
  return summary;
}
