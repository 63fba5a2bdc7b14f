import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../core/index.ts';
import type { LogLevel } from './config/index.ts';

/** JSON logs to stdout; redacts anything that could carry credentials or identities. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger & pino.Logger {
  return pino(
    {
      level,
      base: { service: 'kerma' },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
