import { Worker } from 'node:worker_threads';
import type { Logger } from '../../core/index.ts';
import type { PreparedObject } from '../pipeline/types.ts';

/**
 * A fixed pool of worker threads that read files, prepare them (hash + extract) and store their raw
 * bytes, so that parsing uses every core while the main thread commits. Each request goes to the worker with the
 * fewest outstanding; the caller bounds how many are outstanding in total (backpressure).
 */
export interface PrepareRequest {
  readonly id: number;
  readonly path: string;
  readonly maxBytes: number;
}

export type PrepareReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly prepared: PreparedObject;
      /** Where the object store keeps the raw bytes (written and fsynced before this reply). */
      readonly storagePath: string;
      readonly size: number;
      readonly mtimeMs: number;
    }
  | {
      readonly id: number;
      readonly ok: false;
      /** The bytes could not be stored (not a problem of the file): try again later. */
      readonly unavailable?: boolean;
      readonly reason: string;
    };

export interface WorkerOptions {
  readonly objectStoreRoot: string;
}

/** Posted by a worker once its modules are loaded. */
export const WORKER_READY = 'ready';

interface Pending {
  resolve(reply: PrepareReply): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  readonly pending: Map<number, Pending>;
  ready: boolean;
}

/** Workers that die before loading this many times in a row cannot start: give up. */
const MAX_START_FAILURES = 3;

/** Plain JavaScript that registers tsx, then loads file-import-worker.ts (see the file for why). */
const WORKER_ENTRY = new URL('./file-import-worker-boot.cjs', import.meta.url);

/**
 * A hostile or huge file must cost one worker, not the process: past this heap the worker alone is
 * stopped (ERR_WORKER_OUT_OF_MEMORY), its files reported as failed, and a new worker started.
 */
const WORKER_HEAP_MB = 1024;

export class PrepareWorkers {
  private readonly slots: Slot[] = [];
  private readonly logger: Logger;
  private nextId = 1;
  private closing = false;
  private startFailures = 0;
  private lastError = '';
  private broken: Error | undefined;

  private readonly options: WorkerOptions;

  constructor(count: number, logger: Logger, options: WorkerOptions) {
    this.logger = logger;
    this.options = options;
    for (let i = 0; i < Math.max(1, count); i += 1) {
      const slot: Slot = { worker: undefined as unknown as Worker, pending: new Map(), ready: false };
      this.start(slot);
      this.slots.push(slot);
    }
  }

  /** Resolves with the file's prepared object or why it could not be read; rejects only if no worker can start. */
  prepare(path: string, maxBytes: number): Promise<PrepareReply> {
    if (this.broken) return Promise.reject(this.broken);
    const slot = this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: PrepareRequest = { id, path, maxBytes };
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private start(slot: Slot): void {
    const worker = new Worker(WORKER_ENTRY, {
      name: 'kerma-import',
      workerData: this.options,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    slot.worker = worker;
    slot.ready = false;
    worker.on('message', (reply: PrepareReply | typeof WORKER_READY) => {
      if (reply === WORKER_READY) {
        slot.ready = true;
        this.startFailures = 0;
        return;
      }
      const pending = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      pending?.resolve(reply);
    });
    worker.on('error', (error) => {
      this.lastError = error.message;
      this.logger.error({ err: error.message }, 'import worker failed');
    });
    worker.on('exit', (code) => this.stopped(slot, code));
  }

  private stopped(slot: Slot, code: number): void {
    if (this.closing) return;
    if (!slot.ready) this.startFailures += 1;
    if (this.startFailures >= MAX_START_FAILURES) {
      this.broken ??= new Error(`import workers cannot start: ${this.lastError || `exit code ${code}`}`);
    }
    // Its files were being prepared when it died: report them as failed (not journaled, so a later run
    // tries them again) and carry on with a fresh worker.
    for (const [id, pending] of slot.pending) {
      if (this.broken) pending.reject(this.broken);
      else
        pending.resolve({
          id,
          ok: false,
          reason: `import worker stopped (exit code ${code}) while preparing this file`,
        });
    }
    slot.pending.clear();
    if (!this.broken) this.start(slot);
  }
}
