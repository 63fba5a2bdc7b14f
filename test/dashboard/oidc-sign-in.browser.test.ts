import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { disableUser } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { OIDC_SIGN_IN_FAILED } from '../../dashboard/pages/sign-in-oidc.tsx';
import { launchChromium, seriousAxeViolations, type TestBrowser } from '../support/browser.ts';
import { oidcEnvironment, startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { freePort } from '../support/own-postgres.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { startWebHarness, type WebHarness } from '../support/web.ts';

const REFUSED = OIDC_SIGN_IN_FAILED('Test Identity');

describe('signing in through an OpenID Connect provider (oidc-provider, Chromium)', function () {
  this.timeout(90000);
  let provider: TestProvider | undefined;
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let kermaUrl: string;

  interface AuditRow {
    action: string;
    actor_id: string | null;
    detail: { method?: string; reason?: string; roles?: string[]; trusts?: string[] };
  }
  const lastAudit = async (): Promise<AuditRow> =>
    (
      await web!.database.pool.query<AuditRow>(
        'SELECT action, actor_id, detail FROM audit_log ORDER BY audit_id DESC LIMIT 1',
      )
    ).rows[0]!;
  const sessionCount = async (): Promise<number> =>
    (await web!.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;

  /** Opens Kerma, follows "Sign in with…", signs in at the provider, and waits for Kerma's answer. */
  async function signInAtProvider(account: string): Promise<void> {
    // A fresh browser session at the provider too, so every sign-in shows its login page.
    await page.context().clearCookies();
    await page.goto(`${kermaUrl}/`);
    await page.getByRole('link', { name: 'Sign in with Test Identity' }).click();
    await page.getByPlaceholder('Enter any login').fill(account);
    await page.getByPlaceholder('and password').fill('any password: the provider is a test double');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('heading', { name: /^(Overview|Sign in)$/ }).waitFor();
  }

  before(async function () {
    requirePrerequisite(this, chromium());
    const kermaPort = await freePort();
    kermaUrl = `http://localhost:${kermaPort}`;
    provider = await startTestProvider({
      redirectUri: `${kermaUrl}/sign-in/oidc/callback`,
      accounts: {
        'sub-priya': {
          preferred_username: 'Priya.Shah',
          nhsid_nrbac_roles: [{ role_code: 'R8000', org_code: 'RNH' }],
        },
        'sub-unmapped': {
          preferred_username: 'sam.jones',
          nhsid_nrbac_roles: [{ role_code: 'R9999', org_code: 'RNH' }],
        },
      },
    });
    web = await startWebHarness(oidcEnvironment(provider, kermaPort));
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust')`);
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    await provider?.stop();
  });

  it('offers "Sign in with Test Identity" beside the password form, without serious accessibility problems', async () => {
    await page.goto(`${kermaUrl}/sign-in`);
    expect(await page.getByRole('link', { name: 'Sign in with Test Identity' }).isVisible()).to.equal(true);
    expect(await page.getByLabel('User name').isVisible()).to.equal(true);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('signs a new person in and lands on the overview with the role and trust their claims map to', async () => {
    await signInAtProvider('sub-priya');
    expect(new URL(page.url()).pathname).to.equal('/');
    const header = (await page.getByRole('banner').textContent()) ?? '';
    expect(header).to.include('priya.shah').and.include('physicist').and.include('RNH');
    expect(header).to.not.include('admin').and.not.include('DEFAULT');
    const audit = await lastAudit();
    expect(audit.action).to.equal('sign-in.success');
    expect(audit.detail).to.deep.include({ method: 'oidc', roles: ['physicist'], trusts: ['RNH'] });
    const identities = await web!.database.pool.query(
      `SELECT u.name FROM oidc_identities i JOIN users u USING (user_id) WHERE i.subject = 'sub-priya'`,
    );
    expect(identities.rows).to.deep.equal([{ name: 'priya.shah' }]);
  });

  it('gives the roles and trusts of the claims at each sign-in: new claims, new access', async () => {
    provider!.accounts.set('sub-priya', {
      preferred_username: 'priya.shah',
      nhsid_nrbac_roles: [
        { role_code: 'R0001', org_code: 'DEF' },
        { role_code: 'R8000', org_code: 'RNH' },
      ],
    });
    await signInAtProvider('sub-priya');
    const header = (await page.getByRole('banner').textContent()) ?? '';
    expect(header).to.include('admin').and.include('DEFAULT · RNH');
    // Still one user: the identity is found by (issuer, subject), not created again.
    const users = await web!.database.pool.query(`SELECT name FROM users ORDER BY name`);
    expect(users.rows).to.deep.equal([{ name: 'priya.shah' }]);
  });

  it('refuses a person whose claims map to no role, with the generic message, and audits why', async () => {
    const sessionsBefore = await sessionCount();
    await signInAtProvider('sub-unmapped');
    expect(await page.getByRole('alert').textContent()).to.include(REFUSED);
    expect(await sessionCount()).to.equal(sessionsBefore);
    const audit = await lastAudit();
    expect(audit.action).to.equal('sign-in.failure');
    expect(audit.detail).to.deep.include({ method: 'oidc', reason: 'no-mapped-role' });
    const users = await web!.database.pool.query(`SELECT name FROM users WHERE name LIKE 'sam%'`);
    expect(users.rows).to.deep.equal([]);
  });

  it('takes access away when the claims lose their mapped role', async () => {
    provider!.accounts.set('sub-priya', {
      preferred_username: 'priya.shah',
      nhsid_nrbac_roles: [{ role_code: 'R9999', org_code: 'RNH' }],
    });
    await signInAtProvider('sub-priya');
    expect(await page.locator('main').textContent()).to.include(REFUSED);
    const audit = await lastAudit();
    expect(audit.detail.reason).to.equal('no-mapped-role');
    expect(audit.actor_id).to.not.equal(null);
    provider!.accounts.set('sub-priya', {
      preferred_username: 'priya.shah',
      nhsid_nrbac_roles: [{ role_code: 'R8000', org_code: 'RNH' }],
    });
  });

  it('refuses a callback whose state was tampered with, and creates no session', async () => {
    const sessionsBefore = await sessionCount();
    provider!.tamperWithNextCallback((callback) => {
      callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    });
    await signInAtProvider('sub-priya');
    expect(await page.locator('main').textContent()).to.include(REFUSED);
    expect(await sessionCount()).to.equal(sessionsBefore);
    const audit = await lastAudit();
    expect(audit.action).to.equal('sign-in.failure');
    // The flow was found (its cookie came back); openid-client refused the response.
    expect(audit.detail.reason).to.be.a('string').and.not.equal('no-flow');
  });

  it('refuses a person whose Kerma account is disabled, though the provider vouches for them', async () => {
    await disableUser(queryRunner(web!.database.pool), 'priya.shah');
    await signInAtProvider('sub-priya');
    expect(await page.locator('main').textContent()).to.include(REFUSED);
    expect((await lastAudit()).detail.reason).to.equal('disabled');
    await page.goto(`${kermaUrl}/`);
    expect(new URL(page.url()).pathname).to.equal('/sign-in');
  });
});
