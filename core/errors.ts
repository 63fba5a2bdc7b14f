/**
 * Typed errors shared by every feature. Each carries a stable `code` (safe to show to users and to
 * match on in tests) and the HTTP status the one error middleware maps it to.
 */
export abstract class KermaError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ConfigError extends KermaError {
  readonly code = 'config_invalid';
  readonly httpStatus = 500;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
    this.problems = problems;
  }
}

export class ValidationError extends KermaError {
  readonly code = 'validation_failed';
  readonly httpStatus = 400;
}

export class NotFoundError extends KermaError {
  readonly code = 'not_found';
  readonly httpStatus = 404;
}

export class ConflictError extends KermaError {
  readonly code = 'conflict';
  readonly httpStatus = 409;
}

export class UnauthorizedError extends KermaError {
  readonly code = 'unauthorized';
  readonly httpStatus = 401;
}

export class ForbiddenError extends KermaError {
  readonly code = 'forbidden';
  readonly httpStatus = 403;
}

/** The database or another dependency cannot be reached; callers should retry later. */
export class UnavailableError extends KermaError {
  readonly code = 'unavailable';
  readonly httpStatus = 503;
}

/** Anything thrown that is not an Error (strings, objects) becomes one, so callers see one shape. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
