import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider (the certified `oidc-provider` package) on a free loopback port, for
 * the sign-in tests. Its development interactions give a login page that accepts any password for a
 * known account id, and a consent page; the accounts' claims are the test's to change between sign-ins.
 */
export interface TestProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Claims by account id (the subject); change them and the next sign-in sees the new ones. */
  readonly accounts: Map<string, Record<string, unknown>>;
  /**
   * Alters the next redirect back to Kerma as it leaves the provider: a man in the middle, or a
   * browser extension, changing the authorization response.
   */
  tamperWithNextCallback(alter: (callback: URL) => void): void;
  stop(): Promise<void>;
}

export interface TestProviderOptions {
  readonly redirectUri: string;
  readonly accounts: Record<string, Record<string, unknown>>;
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const accounts = new Map(Object.entries(options.accounts));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = { clientId: 'kerma-test', clientSecret: 'kerma-test-client-secret-0123456789' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // A CIS2-like nested role claim, so the tests exercise the dotted claim path.
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], kerma: ['nhsid_nrbac_roles'] },
    scopes: ['openid', 'profile', 'kerma'],
    cookies: { keys: ['test-provider-cookie-key-0123456789abcdef'] },
    pkce: { required: () => true },
    // First-party client: the grant is given at login, so the flow has no consent page.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
      grant.addOIDCScope('openid profile kerma');
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, sub) => {
      if (!accounts.has(sub)) return undefined;
      return { accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) };
    },
  });
  let tamper: ((callback: URL) => void) | undefined;
  provider.use(async (ctx, next) => {
    await next();
    const location = ctx.response.get('location') as string | undefined;
    if (tamper && location?.startsWith(options.redirectUri)) {
      const callback = new URL(location);
      tamper(callback);
      tamper = undefined;
      ctx.redirect(callback.href);
    }
  });
  // koa's handler answers its own errors, so the promise it returns never rejects.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  server.on('request', provider.callback());
  return {
    issuer,
    ...client,
    accounts,
    tamperWithNextCallback: (alter) => {
      tamper = alter;
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** CIS2-like mapping the tests configure: role codes and organisation codes to Kerma roles and trusts. */
export const TEST_MAPPING = {
  roles: { R8000: 'physicist', R0001: ['admin', 'physicist'] },
  trusts: { RNH: 'RNH', DEF: 'DEFAULT' },
};

/**
 * The environment that points a web harness at a test provider. Kerma's public URL is
 * http://localhost:PORT while the provider is http://127.0.0.1:PORT: two sites, as in a deployment,
 * so the browser applies its cross-site cookie rules on the way back from the provider.
 */
export function oidcEnvironment(provider: TestProvider, kermaPort: number): Record<string, string> {
  return {
    KERMA_HTTP_PORT: String(kermaPort),
    KERMA_PUBLIC_URL: `http://localhost:${kermaPort}`,
    KERMA_OIDC_ISSUER: provider.issuer,
    KERMA_OIDC_PROVIDER_NAME: 'Test Identity',
    KERMA_OIDC_CLIENT_ID: provider.clientId,
    KERMA_OIDC_CLIENT_SECRET: provider.clientSecret,
    KERMA_OIDC_SCOPES: 'openid profile kerma',
    KERMA_OIDC_ROLE_CLAIM: 'nhsid_nrbac_roles.role_code',
    KERMA_OIDC_TRUST_CLAIM: 'nhsid_nrbac_roles.org_code',
    KERMA_OIDC_MAPPING: JSON.stringify(TEST_MAPPING),
  };
}
