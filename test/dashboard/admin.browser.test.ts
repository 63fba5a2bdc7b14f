import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { authenticateApiKey, findCredentials, verifyPassword } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  type TestBrowser,
  signInInBrowser,
} from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

describe('an administrator issues an API key and adds a colleague (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];
  let issuedKey = '';

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust')`);
    await addUser(web, 'ada.admin', { roles: ['admin'], trusts: ['DEFAULT', 'RNH'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('signs in and opens Administration from the menu', async () => {
    await signInInBrowser(page, web!.kerma.url, 'ada.admin', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await page.getByRole('table', { name: /Everyone who can sign in/ }).textContent()).to.include('ada.admin');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('creates an API key for one trust with two scopes and sees the key once', async () => {
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByLabel('Key name').fill('rnh-pacs');
    await page.getByLabel('Acts for').selectOption('RNH');
    await page.getByRole('checkbox', { name: /^ingest/ }).check();
    await page.getByRole('checkbox', { name: /^read/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'Key rnh-pacs created' });
    await shown.waitFor();
    issuedKey = ((await shown.locator('code').textContent()) ?? '').trim();
    expect(issuedKey).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(await authenticateApiKey(queryRunner(web!.database.pool), issuedKey)).to.deep.include({
      trustCode: 'RNH',
      scopes: ['ingest', 'read'],
    });
    const row = page.getByRole('row').filter({ hasText: 'rnh-pacs' });
    expect(await row.textContent())
      .to.include('RNH')
      .and.include('ingest, read')
      .and.include('Active');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('does not show the key again when the page is opened again', async () => {
    await page.goto(`${web!.kerma.url}/admin/api-keys`);
    expect(await page.content()).to.not.include(issuedKey);
  });

  it('revokes the key; the key stops working', async () => {
    await page.getByRole('button', { name: 'Revoke the key rnh-pacs' }).click();
    await page.getByRole('row').filter({ hasText: 'rnh-pacs' }).filter({ hasText: 'Revoked' }).waitFor();
    expect(await authenticateApiKey(queryRunner(web!.database.pool), issuedKey)).to.equal(undefined);
  });

  it('adds a radiographer of one trust and is given their one-time password', async () => {
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('User name').fill('rob.radiographer');
    await page.getByRole('checkbox', { name: 'radiographer' }).check();
    await page.getByRole('checkbox', { name: /^RNH/ }).check();
    await page.getByRole('button', { name: 'Create user' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'User rob.radiographer created' });
    await shown.waitFor();
    const password = ((await shown.locator('code').textContent()) ?? '').trim();
    const credentials = await findCredentials(queryRunner(web!.database.pool), 'rob.radiographer');
    expect(await verifyPassword(credentials!.passwordHash, password)).to.equal(true);
    const row = page.getByRole('row').filter({ hasText: 'rob.radiographer' });
    expect(await row.textContent())
      .to.include('radiographer')
      .and.include('RNH');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('reads the trusts and maps a DICOM caller to a trust, with no accessibility problem on either page', async () => {
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Trusts' }).click();
    expect(await page.getByRole('table', { name: 'Trusts of the consortium' }).textContent()).to.include(
      'Riverside NHS Trust',
    );
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: /DICOM/ }).click();
    await page.getByLabel('Calling AE title').fill('RNH_CT1');
    await page.getByLabel('Trust').selectOption('RNH');
    await page.getByRole('button', { name: 'Add caller' }).click();
    await page.getByRole('status').filter({ hasText: 'RNH_CT1 now sends for RNH' }).waitFor();
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('left an audit entry for each change, and raised no console error (a CSP violation would be one)', async () => {
    const { rows } = await web!.database.pool.query<{ action: string; actor_name: string }>(
      `SELECT action, actor_name FROM audit_log WHERE action NOT LIKE 'sign-%' ORDER BY audit_id`,
    );
    expect(rows).to.deep.equal(
      ['api-key.create', 'api-key.revoke', 'user.add', 'dicom-caller.add'].map((action) => ({
        action,
        actor_name: 'ada.admin',
      })),
    );
    expect(errors).to.deep.equal([]);
  });
});
