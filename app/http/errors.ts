import type { ErrorRequestHandler } from 'express';
import { KermaError, loggableError, type Logger } from '../../core/index.ts';

interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
}

/**
 * The one place errors become HTTP responses. Typed Kerma errors keep their status and code;
 * body-parser errors (malformed JSON, too large) keep theirs; anything else is a 500 whose details
 * stay in the log. Only 5xx are logged as errors: a client's mistake is not an incident.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status = 500;
    let code = 'internal_error';
    let message = 'Internal server error';
    let details: Record<string, unknown> | undefined;
    if (error instanceof KermaError) {
      status = error.httpStatus;
      code = error.code;
      message = error.message;
      details = error.details;
    } else if (error instanceof Error) {
      const httpError = error as Error & HttpErrorLike;
      const candidate = httpError.status ?? httpError.statusCode;
      if (candidate && candidate >= 400 && candidate < 500 && httpError.expose !== false) {
        status = candidate;
        code = httpError.type?.replace(/\./g, '_') ?? 'bad_request';
        message = error.message;
      }
    }
    if (status >= 500) {
      logger.error({ err: loggableError(error), method: req.method, path: req.path }, 'request failed');
    }
    res.status(status).json({ error: { code, message, ...(details && status < 500 ? { details } : {}) } });
  };
}
