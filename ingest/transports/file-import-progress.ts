import type { IngestOutcome } from '../pipeline/types.ts';

/** What a bulk import reports while it runs (to a progress bar) and when it ends. */
export interface ImportProgress {
  /** Files finished: stored + duplicates + notDose + quarantined + failed + skipped. */
  readonly done: number;
  /** Files the walk will find, once the counting pass is over; undefined before, and in watch mode. */
  readonly total: number | undefined;
  readonly stored: number;
  readonly duplicates: number;
  readonly notDose: number;
  readonly quarantined: number;
  /** Could not be read or stored (reason in the summary); not journaled, so a later run tries again. */
  readonly failed: number;
  /** Named by the resume journal: committed by an earlier run, not read again. */
  readonly skipped: number;
  /** Recent rate (last few seconds), for the ETA. */
  readonly filesPerS: number;
  /** Set while the database (or the object store) is unavailable and the import waits for it. */
  readonly paused: string | undefined;
  readonly retries: number;
  readonly watching: boolean;
}

export interface ImportFailure {
  readonly path: string;
  readonly reason: string;
}

export interface ImportSummary {
  readonly files: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly notDose: number;
  readonly quarantined: number;
  readonly failed: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly filesPerS: number;
  readonly retries: number;
  /** Commits tried again after colliding with a concurrent one (deadlock, creation race). */
  readonly conflicts: number;
  /** Stopped by the caller's signal before every file was done (those left are not journaled). */
  readonly aborted: boolean;
  readonly journal: string | undefined;
  /** The run's name in stored data (sender `import:<runId>`); the journal's lines carry it too. */
  readonly runId: string;
  /** The first failures, with their reasons (bounded: the count is in `failed`). */
  readonly failures: readonly ImportFailure[];
}

/** Failures kept with their reasons; beyond this only counted, so memory stays flat. */
const MAX_FAILURES_KEPT = 100;
/** Window of the recent rate: long enough to smooth batches, short enough to follow a pause. */
const RATE_WINDOW_MS = 10_000;

type Counts = {
  stored: number;
  duplicates: number;
  notDose: number;
  quarantined: number;
  failed: number;
  skipped: number;
};

export class ProgressTracker {
  total: number | undefined;
  watching = false;
  private readonly counts: Counts = { stored: 0, duplicates: 0, notDose: 0, quarantined: 0, failed: 0, skipped: 0 };
  private readonly failures: ImportFailure[] = [];
  private readonly started = performance.now();
  private readonly samples: Array<{ at: number; done: number }> = [];

  get done(): number {
    const c = this.counts;
    return c.stored + c.duplicates + c.notDose + c.quarantined + c.failed + c.skipped;
  }

  outcome(status: IngestOutcome['status']): void {
    switch (status) {
      case 'stored':
        this.counts.stored += 1;
        break;
      case 'duplicate':
        this.counts.duplicates += 1;
        break;
      case 'not_dose':
        this.counts.notDose += 1;
        break;
      case 'quarantined':
        this.counts.quarantined += 1;
        break;
    }
  }

  skipped(): void {
    this.counts.skipped += 1;
  }

  failed(path: string, reason: string): void {
    this.counts.failed += 1;
    if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push({ path, reason });
  }

  /** Also advances the rate window: call it at a steady interval. */
  snapshot(outage: { reason: string | undefined; retries: number }): ImportProgress {
    const now = performance.now();
    const done = this.done;
    this.samples.push({ at: now, done });
    while (this.samples.length > 2 && now - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const rate =
      now - first.at > 500
        ? ((done - first.done) * 1000) / (now - first.at)
        : (done * 1000) / Math.max(1, now - this.started);
    return {
      done,
      total: this.total,
      ...this.counts,
      filesPerS: Math.round(rate),
      paused: outage.reason,
      retries: outage.retries,
      watching: this.watching,
    };
  }

  summary(
    outage: { retries: number; conflicts: number },
    aborted: boolean,
    journal: string | undefined,
    runId: string,
  ): ImportSummary {
    const seconds = (performance.now() - this.started) / 1000;
    const files = this.done;
    return {
      files,
      ...this.counts,
      seconds: Number(seconds.toFixed(3)),
      filesPerS: Math.round(files / Math.max(seconds, 0.001)),
      retries: outage.retries,
      conflicts: outage.conflicts,
      aborted,
      journal,
      runId,
      failures: [...this.failures],
    };
  }
}
