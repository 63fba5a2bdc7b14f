import { expect } from 'chai';
import type { Express } from 'express';
import { startWebHarness, type WebHarness } from '../support/web.ts';

/** One registered route: method and path pattern as express holds them. */
interface SweptRoute {
  readonly method: string;
  readonly path: string;
}

interface LayerLike {
  readonly route?: { readonly path: string | string[]; readonly methods: Record<string, boolean> };
  readonly name?: string;
  readonly slash?: boolean;
  readonly handle?: { readonly stack?: readonly LayerLike[] };
}

/**
 * Every route of the app, nested routers included. Kerma mounts its routers at "/" (they carry their
 * full paths); a router mounted under a prefix would need the prefix here, so the walk refuses it
 * rather than sweep wrong paths.
 */
function routesOf(stack: readonly LayerLike[]): SweptRoute[] {
  const routes: SweptRoute[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) {
        for (const method of Object.keys(layer.route.methods)) routes.push({ method: method.toUpperCase(), path });
      }
    } else if (layer.handle?.stack) {
      if (layer.slash !== true)
        throw new Error('route sweep: a router is mounted under a prefix; add prefixes to the walk');
      routes.push(...routesOf(layer.handle.stack));
    }
  }
  return routes;
}

/**
 * Routes that answer without credentials, each for a reason: probes and metrics for the orchestrator,
 * the sign-in page itself, static assets (no data). Anything else must refuse.
 */
const PUBLIC: ReadonlyArray<SweptRoute> = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/sign-in' },
  { method: 'POST', path: '/sign-in' },
  // OpenID Connect sign-in: the redirect to the provider and its callback come before any session
  // (404 when no provider is configured; the callback refuses anything but a flow this browser began).
  { method: 'GET', path: '/sign-in/oidc' },
  { method: 'GET', path: '/sign-in/oidc/callback' },
  { method: 'GET', path: '/static/:name' },
  // The OpenAPI document describes the API for calling systems before they hold a key; it holds no data.
  { method: 'GET', path: '/api/v1/openapi.json' },
];

const isApi = (path: string): boolean => path.startsWith('/api/') || path.startsWith('/dicomweb/');
const concrete = (path: string): string => path.replace(/:(\w+)/g, 'sweep-$1');

describe('route sweep: no route answers without credentials unless listed', () => {
  let web: WebHarness;
  before(async () => {
    web = await startWebHarness();
  });
  after(async () => {
    if (web) await web.stop(); // before() may have failed before it was started
  });

  it('refuses every unlisted route: 401 for APIs, a redirect to sign-in for pages', async () => {
    const app = web.kerma.app as Express & { router: { stack: LayerLike[] } };
    const routes = routesOf(app.router.stack);
    // The walk must see the routes we know of, or it would pass by sweeping nothing.
    for (const known of [
      '/',
      '/sign-out',
      '/dicomweb/studies',
      '/api/v1/quarantine',
      '/account/password',
      '/studies',
      '/api/v1/studies',
      '/audit',
      '/api/v1/audit',
      '/api/v1/audit.csv',
      '/patient-size',
      '/api/v1/patient-sizes',
      '/drl-compliance',
      '/api/v1/analytics/drl-compliance',
      '/api/v1/analytics/local-drls',
      '/api/v1/studies/:studyId/dose-metrics',
    ]) {
      expect(routes.map((r) => r.path)).to.include(known);
    }
    const problems: string[] = [];
    let swept = 0;
    for (const route of routes) {
      if (PUBLIC.some((p) => p.method === route.method && p.path === route.path)) continue;
      swept += 1;
      const response = await fetch(`${web.kerma.url}${concrete(route.path)}`, {
        method: route.method,
        redirect: 'manual',
      });
      await response.arrayBuffer();
      const location = response.headers.get('location') ?? '';
      const refused = isApi(route.path)
        ? response.status === 401
        : response.status === 303 && location.startsWith('/sign-in');
      if (!refused) problems.push(`${route.method} ${route.path} answered ${response.status} ${location}`);
    }
    console.log(
      `      route sweep: ${routes.length} routes registered, ${swept} swept, ${routes.length - swept} public`,
    );
    expect(problems).to.deep.equal([]);
  });
});
