import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
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
  /** Run before the JSON error answer: the pages' error page for page requests (an outage included). */
  readonly errorHandlers?: readonly ErrorRequestHandler[];
}

/** How long a client may take: the slowloris guard (headers), the whole request, an idle keep-alive. */
export interface HttpTimeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

/** Node's own defaults except the headers timeout, which Node leaves at a minute. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 600_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * Only Kerma's own files may run or style a page: no inline script or style, no other origin, never
 * inside a frame. A stored script in a study description therefore cannot run even if it were ever
 * rendered unescaped.
 */
export const CONTENT_SECURITY_POLICY = {
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
  for (const handler of deps.errorHandlers ?? []) app.use(handler);
  app.use(errorMiddleware(deps.logger));
  return app;
}

/**
 * Node checks the headers and request timeouts only every connectionsCheckingInterval (30 s by
 * default), so a slow client would keep its connection up to that much past the timeout; checking at
 * a quarter of the headers timeout (at most every second) cuts it off close to the configured time.
 */
const checkingIntervalMs = (timeouts: HttpTimeouts): number =>
  Math.max(250, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4)));

export async function listen(
  app: Express,
  host: string,
  port: number,
  timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS,
): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer(
      {
        headersTimeout: timeouts.headersTimeoutMs,
        requestTimeout: timeouts.requestTimeoutMs,
        keepAliveTimeout: timeouts.keepAliveTimeoutMs,
        connectionsCheckingInterval: checkingIntervalMs(timeouts),
      },
      app,
    );
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` });
    });
    server.listen(port, host);
  });
}
