import { loggableError, type Logger, type QueryRunner } from '../../core/index.ts';
import { callingAeMap } from '../store/trust-settings.ts';

/**
 * The DICOM listener's calling AE title -> trust map, kept current while it runs. The listener holds
 * `titles` and reads it at every association; `refresh()` replaces its contents in place. An admin's
 * change on this instance refreshes at once; other instances (behind a load balancer) pick it up
 * within `refreshMs`. A failed refresh (database restarting) keeps the last good map rather than
 * emptying it, since an empty map means "accept every caller".
 */
export interface CallingAeDirectory {
  readonly titles: ReadonlyMap<string, string>;
  refresh(): Promise<void>;
  close(): void;
}

/** Short enough that an edit reaches every instance before anyone re-sends, long enough to cost nothing. */
export const CALLING_AE_REFRESH_MS = 30_000;

export async function openCallingAeDirectory(
  db: QueryRunner,
  logger: Logger,
  refreshMs = CALLING_AE_REFRESH_MS,
): Promise<CallingAeDirectory> {
  const titles = new Map<string, string>();
  const refresh = async (): Promise<void> => {
    const fresh = await callingAeMap(db);
    titles.clear();
    for (const [title, trust] of fresh) titles.set(title, trust);
  };
  await refresh();
  const timer = setInterval(() => {
    refresh().catch((error: unknown) =>
      logger.warn({ err: loggableError(error) }, 'calling AE titles not refreshed; keeping the last ones read'),
    );
  }, refreshMs);
  timer.unref();
  return { titles, refresh, close: () => clearInterval(timer) };
}
