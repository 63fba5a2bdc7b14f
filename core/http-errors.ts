import { KermaError } from './errors.ts';

/** What an error becomes on the wire: the status, a stable code and a message safe to show. */
export interface HttpErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown> | undefined;
}

interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  limit?: number;
  code?: string;
}

/**
 * node-postgres failures that mean "the database is not there right now" (refused, reset, restarting,
 * shutting down, the pool's connect timeout), as opposed to a fault in a query: these are 503, so a
 * client retries, not 500.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as HttpErrorLike).code;
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return UNAVAILABLE_MESSAGES.test(error.message);
}

function bodyParserAnswer(error: Error & HttpErrorLike, status: number): HttpErrorAnswer {
  const code = error.type?.replace(/\./g, '_') ?? 'bad_request';
  if (error.type === 'entity.too.large') {
    const limit = error.limit ? ` of ${error.limit.toLocaleString('en-GB')} bytes` : '';
    return { status, code, message: `The request body is larger than this endpoint's limit${limit}` };
  }
  if (error.type === 'entity.parse.failed') return { status, code, message: 'The request body is not valid JSON' };
  return { status, code, message: error.message };
}

/**
 * The one translation of thrown errors into answers, shared by the JSON error middleware and the
 * pages' error page: typed Kerma errors keep their status; body-parser's 4xx (too large, malformed)
 * keep theirs with a plain message; a database outage is 503; anything else is a 500 whose details
 * stay in the log.
 */
export function httpErrorOf(error: unknown): HttpErrorAnswer {
  if (error instanceof KermaError) {
    return { status: error.httpStatus, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof Error) {
    const httpError = error as Error & HttpErrorLike;
    const candidate = httpError.status ?? httpError.statusCode;
    if (candidate && candidate >= 400 && candidate < 500 && httpError.expose !== false) {
      return bodyParserAnswer(httpError, candidate);
    }
    if (isDatabaseUnavailable(error)) {
      return { status: 503, code: 'unavailable', message: 'The database is unavailable; try again in a minute' };
    }
  }
  return { status: 500, code: 'internal_error', message: 'Internal server error' };
}
