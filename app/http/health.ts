import type { RequestHandler } from 'express';
import type pg from 'pg';
import { loggableError, type Logger } from '../../core/index.ts';
import { migrationStatus } from '../db/migrations.ts';

/** Liveness: the process answers. Deliberately touches nothing else. */
export const healthz: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

/** Readiness: the database answers and every migration this build knows is applied. */
export function readyz(pool: pg.Pool, logger: Logger): RequestHandler {
  return async (_req, res) => {
    try {
      const status = await migrationStatus(pool);
      const ready = status.applied >= status.expected;
      res.status(ready ? 200 : 503).json({
        status: ready ? 'ready' : 'migrations_pending',
        database: 'ok',
        migrations: status,
      });
    } catch (error) {
      // Unauthenticated: the database's own message (host names, roles, values) is not for the caller.
      logger.warn({ err: loggableError(error) }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: 'database unavailable' });
    }
  };
}
