import type { Logger } from '../../core/index.ts';

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data: object;
}

/** A Logger that keeps what it was told, for tests that assert on log output. */
export function recordingLogger(records: LogRecord[] = []): Logger & { records: LogRecord[] } {
  const make = (): Logger & { records: LogRecord[] } => ({
    records,
    debug: (data, message) => void records.push({ level: 'debug', message, data }),
    info: (data, message) => void records.push({ level: 'info', message, data }),
    warn: (data, message) => void records.push({ level: 'warn', message, data }),
    error: (data, message) => void records.push({ level: 'error', message, data }),
    child: () => make(),
  });
  return make();
}

export const silentLogger: Logger = recordingLogger([]);
