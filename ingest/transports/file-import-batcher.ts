import type { IngestOutcome } from '../pipeline/types.ts';

/**
 * Gathers prepared objects into batch commits: while a batch is in the database, the next one fills,
 * so the batch size follows the arrival rate by itself (one object when files trickle in, up to
 * `maxBatch` under a bulk load) and per-transaction costs are paid once per batch, not per object.
 * Each submitter gets its own object's result; when the whole batch fails (database unreachable),
 * every submitter's promise rejects with that error and each decides to retry.
 */
export class CommitBatcher<T> {
  private queue: Array<{ item: T; resolve: (r: IngestOutcome | Error) => void; reject: (e: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly commit: (items: readonly T[]) => Promise<Array<IngestOutcome | Error>>,
    private readonly maxBatch: number,
    private readonly maxConcurrent: number,
  ) {}

  submit(item: T): Promise<IngestOutcome | Error> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    // Objects that arrive in the same turn of the event loop travel together.
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running += 1;
      this.commit(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i] ?? new Error('batch commit returned no result'))),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.drain();
        });
    }
  }
}
