import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError, loggableError, toError, type Logger } from '../../core/index.ts';

/**
 * Flow control of the bulk importer: a budget that bounds what is in flight (backpressure, so memory
 * stays flat however many files there are), and the retry loop that pauses on an unavailable database
 * or disk instead of skipping the file.
 */
export class Budget {
  private items = 0;
  private bytes = 0;
  private readonly waiters: Array<{ bytes: number; wake: () => void }> = [];

  constructor(
    private maxItems: number,
    private readonly maxBytes: number,
  ) {}

  get limit(): number {
    return this.maxItems;
  }

  set limit(items: number) {
    this.maxItems = items;
    this.wake();
  }

  /** Waits for room. A file larger than the whole byte budget still goes, alone. */
  async acquire(bytes: number): Promise<void> {
    if (this.waiters.length === 0 && this.fits(bytes)) {
      this.take(bytes);
      return;
    }
    await new Promise<void>((wake) => this.waiters.push({ bytes, wake }));
  }

  release(bytes: number): void {
    this.items -= 1;
    this.bytes -= bytes;
    this.wake();
  }

  private wake(): void {
    // First come, first served: a large file waiting is not starved by small ones behind it.
    while (this.waiters[0] && this.fits(this.waiters[0].bytes)) {
      const next = this.waiters.shift()!;
      this.take(next.bytes);
      next.wake();
    }
  }

  async run<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    await this.acquire(bytes);
    try {
      return await work();
    } finally {
      this.release(bytes);
    }
  }

  private fits(bytes: number): boolean {
    return this.items === 0 || (this.items < this.maxItems && this.bytes + bytes <= this.maxBytes);
  }

  private take(bytes: number): void {
    this.items += 1;
    this.bytes += bytes;
  }
}

export interface RetryPolicy {
  /** First pause after a failure; doubled after each further failure, up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Short enough that a database restart costs seconds; capped so an outage is probed every 15 s. */
export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 250, maxDelayMs: 15_000 };

export const isUnavailable = (error: unknown): boolean =>
  error instanceof UnavailableError || (error as { code?: unknown }).code === 'unavailable';

/** A database error: it carries a SQLSTATE (no class starts with E, unlike Node's EPIPE or EPERM). */
const isDatabaseError = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code);
};

/**
 * Concurrent commits can collide: deadlocks (40P01), serialization failures, and races on rows or
 * partitions that two transactions create at once. The failed transaction rolled back and the ingest
 * is idempotent, so trying again is safe; a file that fails this many times is reported as failed.
 */
const CONFLICT_ATTEMPTS = 5;
const CONFLICT_DELAY_MS = 20;

/**
 * Commit concurrency that backs off when commits collide and grows back when they succeed (additive
 * increase, multiplicative decrease). On plain PostgreSQL the first events of a new month create its
 * partition, and concurrent creations deadlock each other and the commits around them (1 s each, the
 * deadlock timeout); one commit at a time gets through that, then concurrency returns. Starting at
 * one (slow start) avoids that storm on a fresh database, whose first commits create every partition.
 */
export class AdaptiveConcurrency {
  private successes = 0;

  constructor(
    private readonly budget: Budget,
    private readonly max: number,
  ) {}

  collided(): void {
    this.budget.limit = Math.max(1, Math.floor(this.budget.limit / 2));
    this.successes = 0;
  }

  /** One step up after a few rounds of successes at the current level. */
  succeeded(): void {
    if (this.budget.limit >= this.max || ++this.successes < this.budget.limit * 4) return;
    this.successes = 0;
    this.budget.limit += 1;
  }
}

/**
 * Shared state of an outage: every in-flight file retries on its own, but the import is "paused" as
 * one, logged once when it starts and once when it ends, and shown in the progress.
 */
export class Outage {
  retries = 0;
  conflicts = 0;
  reason: string | undefined;

  constructor(private readonly logger: Logger) {}

  failed(error: unknown): void {
    this.retries += 1;
    if (this.reason !== undefined) return;
    this.reason = toError(error).message;
    this.logger.warn({ err: this.reason }, 'import paused: storage unavailable, retrying');
  }

  collided(error: unknown): void {
    this.conflicts += 1;
    this.logger.debug({ err: loggableError(error) }, 'commit collided with a concurrent one: trying again');
  }

  succeeded(): void {
    if (this.reason === undefined) return;
    this.reason = undefined;
    this.logger.info({ retries: this.retries }, 'import resumed: storage available again');
  }
}

export interface StoreControl {
  readonly outage: Outage;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly concurrency?: AdaptiveConcurrency;
}

/**
 * Runs `work` until it succeeds: on UnavailableError it waits (with backoff) and tries again, never
 * giving up unless aborted; on a database conflict it tries again a few times, with jitter so that
 * the colliding transactions do not meet again.
 */
export async function untilStored<T>(work: () => Promise<T>, control: StoreControl): Promise<T> {
  const { outage, policy, signal, concurrency } = control;
  let delayMs = policy.initialDelayMs;
  for (let conflicts = 0; ;) {
    try {
      const result = await work();
      outage.succeeded();
      concurrency?.succeeded();
      return result;
    } catch (error) {
      if (isUnavailable(error)) {
        outage.failed(error);
        await sleep(delayMs, undefined, { signal });
        delayMs = Math.min(delayMs * 2, policy.maxDelayMs);
      } else if (isDatabaseError(error) && ++conflicts < CONFLICT_ATTEMPTS) {
        outage.collided(error);
        concurrency?.collided();
        await sleep(CONFLICT_DELAY_MS * 2 ** conflicts * (0.5 + Math.random()), undefined, { signal });
      } else throw error;
    }
  }
}
