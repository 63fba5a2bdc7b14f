/**
 * What may be logged of an error. A PostgreSQL error's message and `detail` quote the values of the
 * row or the input ("Key (x)=(…) already exists", "invalid input syntax for type …: …"), which can be
 * patient data, so a database error is logged by its SQLSTATE, constraint, table and routine only.
 * Kerma's own errors keep their message and stack; their cause is reduced the same way.
 */
export interface LoggableError {
  readonly name: string;
  readonly code?: string;
  readonly message?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly routine?: string;
  readonly stack?: string;
  readonly cause?: LoggableError;
}

/** A node-postgres DatabaseError (a server's ErrorResponse): SQLSTATE is five characters. */
function isDatabaseError(error: object): error is Error & { code: string; severity?: string } {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function loggableError(error: unknown, depth = 0): LoggableError {
  if (!(error instanceof Error)) return { name: typeof error };
  if (isDatabaseError(error)) {
    const e = error as Error & { code: string; constraint?: unknown; table?: unknown; routine?: unknown };
    return {
      name: 'DatabaseError',
      code: e.code,
      constraint: text(e.constraint),
      table: text(e.table),
      routine: text(e.routine),
    };
  }
  const code = text((error as { code?: unknown }).code);
  return {
    name: error.name,
    ...(code ? { code } : {}),
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined && depth < 3 ? { cause: loggableError(error.cause, depth + 1) } : {}),
  };
}
