import type { RequestHandler } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../../core/index.ts';

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'kerma' });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'kerma_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/** Probes and scrapes arrive every few seconds; logging them would drown the access log. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Times every request and writes one access-log line per request. Both use the matched route
 * template, never the raw path, so UIDs neither explode metric cardinality nor reach the log.
 */
export function requestMetrics(metrics: Metrics, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const template = (req.route as { path?: string } | undefined)?.path;
      const route = template ? `${req.baseUrl}${template}` : 'unmatched';
      const durationS = stop({ method: req.method, route, status: String(res.statusCode) });
      if (!QUIET_PATHS.has(req.path)) {
        logger.info(
          { method: req.method, route, status: res.statusCode, durationMs: Math.round(durationS * 1000) },
          'http request',
        );
      }
    });
    next();
  };
}

export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
