import type { ErrorRequestHandler } from 'express';
import { httpErrorOf, loggableError, type Logger } from '../../core/index.ts';

/** Seconds a client should wait before retrying during a database outage (a restart takes a few). */
export const OUTAGE_RETRY_AFTER_S = 5;

/**
 * The one place errors become JSON responses (core's httpErrorOf decides the status): typed Kerma
 * errors keep their status and code; body-parser errors (malformed JSON, too large) keep theirs; a
 * database outage is 503; anything else is a 500 whose details stay in the log. Only 5xx are logged
 * as errors: a client's mistake is not an incident, and an outage is logged as a warning.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const answer = httpErrorOf(error);
    if (answer.status === 503) {
      logger.warn({ err: loggableError(error), method: req.method, path: req.path }, 'request refused: unavailable');
      // A route that knows its own retry interval (STOW-RS asks senders for 30 s) keeps it.
      if (!res.headersSent && !res.get('Retry-After')) res.set('Retry-After', String(OUTAGE_RETRY_AFTER_S));
    } else if (answer.status >= 500) {
      logger.error({ err: loggableError(error), method: req.method, path: req.path }, 'request failed');
    }
    if (res.headersSent) {
      // A stream (an export) failed half way: the status is gone, so the only honest answer is a cut.
      res.destroy();
      return;
    }
    const { status, code, message, details } = answer;
    res.status(status).json({ error: { code, message, ...(details && status < 500 ? { details } : {}) } });
  };
}
