/**
 * The logging surface features depend on. pino satisfies it; tests can pass a small recorder.
 * Convention: a fixed message plus a data object; never patient identifiers or names.
 */
export interface Logger {
  debug(data: object, message: string): void;
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
