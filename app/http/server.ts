import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import type { Logger } from '../../core/index.ts';
import { errorMiddleware } from './errors.ts';
import { healthz, readyz } from './health.ts';
import { createMetrics, metricsHandler, requestMetrics } from './metrics.ts';

export interface HttpDependencies {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** Runs before every router (the session lookup): sets what routes read about the request. */
  readonly middleware?: readonly RequestHandler[];
  /** Feature routers, mounted in order under their own prefixes by the composition root. */
  readonly routers?: ReadonlyArray<{ readonly path: string; readonly router: express.Router }>;
}

/**
 * Only Kerma's own files may run or style a page: no inline script or style, no other origin, never
 * inside a frame. A stored script in a study description therefore cannot run even if it were ever
 * rendered unescaped.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function createHttpApp(deps: HttpDependencies): Express {
  const app = express();
  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } }));
  app.use(requestMetrics(metrics, deps.logger));
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(deps.pool, deps.logger));
  app.get('/metrics', metricsHandler(metrics));
  for (const handler of deps.middleware ?? []) app.use(handler);
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
