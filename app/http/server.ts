import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import type { Logger } from '../../core/index.ts';
import { errorMiddleware } from './errors.ts';
import { healthz, readyz } from './health.ts';
import { createMetrics, metricsHandler, requestMetrics } from './metrics.ts';

export interface HttpDependencies {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** Feature routers, mounted in order under their own prefixes by the composition root. */
  readonly routers?: ReadonlyArray<{ readonly path: string; readonly router: express.Router }>;
}

export function createHttpApp(deps: HttpDependencies): Express {
  const app = express();
  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(requestMetrics(metrics, deps.logger));
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(deps.pool, deps.logger));
  app.get('/metrics', metricsHandler(metrics));
  for (const { path, router } of deps.routers ?? []) app.use(path, router);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such endpoint' } });
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}

export async function listen(app: Express, host: string, port: number): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` });
    });
  });
}
