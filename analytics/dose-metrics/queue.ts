import { loggableError, type Logger } from '../../core/index.ts';

/**
 * Collects "study updated" notifications from ingest and recomputes their dose metrics in batches:
 * a bulk import announces thousands of studies a second, and one set-based statement per batch costs
 * far less than one per study. Runs one batch at a time. A failed batch is logged and dropped: the
 * metrics are derived data, and `kerma drl metrics` (or the next update of the study) rebuilds them.
 */
export interface StudyRecomputeQueue {
  /** Queues a study (called synchronously from ingest's onStudyUpdated, after its commit). */
  add(studyId: number): void;
  /** Runs what is queued and waits for every batch started so far (before a process stops). */
  drain(): Promise<void>;
}

export interface RecomputeQueueOptions {
  readonly run: (studyIds: number[]) => Promise<unknown>;
  readonly logger: Logger;
  /** Wait this long after the first queued study, so one batch gathers a burst. */
  readonly delayMs?: number;
  /** Run at once when this many studies wait (bounds a batch's statement and its memory). */
  readonly maxBatch?: number;
}

export function createStudyRecomputeQueue(options: RecomputeQueueOptions): StudyRecomputeQueue {
  const delayMs = options.delayMs ?? 250;
  const maxBatch = options.maxBatch ?? 5000;
  let pending = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return chain;
    const ids = [...pending];
    pending = new Set();
    chain = chain.then(() =>
      options.run(ids).then(
        () => undefined,
        (error: unknown) => {
          options.logger.warn({ err: loggableError(error), studies: ids.length }, 'dose metrics recompute failed');
        },
      ),
    );
    return chain;
  };

  return {
    add(studyId) {
      pending.add(studyId);
      if (pending.size >= maxBatch) {
        void flush();
        return;
      }
      if (!timer) {
        timer = setTimeout(() => void flush(), delayMs);
        // A queued recompute must not keep a finished command alive; drain() runs it explicitly.
        timer.unref();
      }
    },
    drain: () => flush(),
  };
}
