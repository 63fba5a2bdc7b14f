import { expect } from 'chai';
import { oidcEnvironment, startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { freePort } from '../support/own-postgres.ts';
import { cookiesOf, openSignIn, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

describe('OpenID Connect sign-in over HTTP (oidc-provider)', function () {
  this.timeout(60000);
  let provider: TestProvider | undefined;
  let web: WebHarness | undefined;
  let url: string;

  before(async () => {
    const kermaPort = await freePort();
    provider = await startTestProvider({
      redirectUri: `http://localhost:${kermaPort}/sign-in/oidc/callback`,
      accounts: {},
    });
    web = await startWebHarness({ ...oidcEnvironment(provider, kermaPort), KERMA_PASSWORD_SIGN_IN: 'false' });
    url = web.kerma.url;
  });
  after(async () => {
    await web?.stop();
    await provider?.stop();
  });

  it('redirects to the provider with PKCE (S256), state and nonce, keeping the flow in a Lax cookie', async () => {
    const response = await fetch(`${url}/sign-in/oidc?next=%2Faccount%2Fpassword`, { redirect: 'manual' });
    expect(response.status).to.equal(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}`).to.equal(provider!.issuer);
    const query = Object.fromEntries(location.searchParams);
    expect(query).to.include({
      client_id: provider!.clientId,
      response_type: 'code',
      redirect_uri: `http://localhost:${new URL(url).port}/sign-in/oidc/callback`,
      code_challenge_method: 'S256',
      scope: 'openid profile kerma',
    });
    expect(query.state).to.have.length.above(20);
    expect(query.nonce).to.have.length.above(20);
    expect(query.code_challenge).to.match(/^[\w-]{43}$/);
    const flowCookie = response.headers.getSetCookie().find((c) => c.startsWith('kerma_oidc_flow='));
    expect(flowCookie)
      .to.match(/HttpOnly/i)
      .and.match(/SameSite=Lax/i);
    // The verifier stays on the server: nothing in the cookie or the URL but random tokens.
    const stored = await web!.database.pool.query<{ next_path: string; state: string }>(
      'SELECT next_path, state FROM oidc_flows',
    );
    expect(stored.rows).to.deep.equal([{ next_path: '/account/password', state: query.state }]);
  });

  it('refuses a callback from a browser that began no flow, and audits it', async () => {
    const response = await fetch(`${url}/sign-in/oidc/callback?code=forged&state=forged`, { redirect: 'manual' });
    expect(response.status).to.equal(401);
    expect(await response.text()).to.include('Sign-in with Test Identity did not succeed');
    expect(cookiesOf(response).has('kerma_session')).to.equal(false);
    const audit = await web!.database.pool.query<{ action: string; detail: { reason: string } }>(
      'SELECT action, detail FROM audit_log ORDER BY audit_id DESC LIMIT 1',
    );
    expect(audit.rows[0]).to.deep.include({ action: 'sign-in.failure' });
    expect(audit.rows[0]!.detail.reason).to.equal('no-flow');
  });

  it('offers only the provider when KERMA_PASSWORD_SIGN_IN=false, and refuses a posted password', async () => {
    const html = await (await fetch(`${url}/sign-in`)).text();
    expect(html).to.include('Sign in with Test Identity');
    expect(html).to.not.include('type="password"');
    const form = await openSignIn(url).catch(() => undefined);
    const response = await fetch(`${url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form?.cookie ?? '' },
      body: new URLSearchParams({ _csrf: form?.csrfToken ?? '', name: 'anyone', password: TEST_PASSWORD }).toString(),
    });
    expect(response.status).to.equal(404);
  });
});

describe('OpenID Connect sign-in when the provider cannot be reached', function () {
  this.timeout(60000);
  let web: WebHarness | undefined;

  before(async () => {
    const nobody = await freePort();
    const provider = { issuer: `http://127.0.0.1:${nobody}`, clientId: 'kerma', clientSecret: 'secret' };
    web = await startWebHarness(oidcEnvironment(provider as TestProvider, await freePort()));
  });
  after(async () => {
    await web?.stop();
  });

  it('answers 503 with a page saying so, and password sign-in still works', async () => {
    const response = await fetch(`${web!.kerma.url}/sign-in/oidc`, { redirect: 'manual' });
    expect(response.status).to.equal(503);
    expect(await response.text()).to.include('Test Identity cannot be reached just now');
    expect(await (await fetch(`${web!.kerma.url}/sign-in`)).text()).to.include('type="password"');
  });
});
