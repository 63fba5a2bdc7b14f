import pg from 'pg';
import { loggableError, type Logger } from '../../core/index.ts';

/**
 * "Study updated" events for analytics and alerts. Ingest sends `NOTIFY kerma_study_updated` inside
 * its transaction, so PostgreSQL delivers it at commit, to every Kerma instance listening, and never
 * for a rolled-back study. A listener that loses its connection reconnects; studies updated while it
 * was away are found by the subscriber's own catch-up query (updated_at), not by replaying events.
 */
export const STUDY_UPDATED_CHANNEL = 'kerma_study_updated';

export interface StudyUpdated {
  readonly studyId: number;
  readonly studyInstanceUid: string;
}

export interface StudyUpdatesListener {
  close(): Promise<void>;
}

/** Reconnection back-off: quick first retry, capped so a long outage costs a request per half minute. */
const RETRY_MS = [250, 1000, 5000, 30_000];

export async function listenStudyUpdates(
  connectionString: string,
  onUpdate: (event: StudyUpdated) => void,
  logger: Logger,
): Promise<StudyUpdatesListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let attempt = 0;
  /** One reconnection at a time: 'error' and 'end' both arrive for one lost connection. */
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: 'kerma-listener' });
    next.on('notification', (message) => {
      if (message.channel !== STUDY_UPDATED_CHANNEL || !message.payload) return;
      try {
        onUpdate(JSON.parse(message.payload) as StudyUpdated);
      } catch (error) {
        logger.warn({ err: loggableError(error) }, 'study update handler failed');
      }
    });
    next.on('error', (error) => {
      logger.warn({ err: loggableError(error) }, 'study update listener connection lost');
      reconnect();
    });
    next.on('end', () => reconnect());
    await next.connect();
    await next.query(`LISTEN ${STUDY_UPDATED_CHANNEL}`);
    client = next;
    attempt = 0;
  };
  const reconnect = (): void => {
    if (closed || retry) return;
    client = undefined;
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 30_000;
    attempt += 1;
    retry = setTimeout(() => {
      retry = undefined;
      if (closed || client) return;
      connect().catch((error: unknown) => {
        logger.warn({ err: loggableError(error), attempt }, 'study update listener reconnect failed');
        reconnect();
      });
    }, delay);
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      // A pending retry must not keep a stopping process alive for up to half a minute.
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
