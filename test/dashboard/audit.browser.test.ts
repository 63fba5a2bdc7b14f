import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  type TestBrowser,
  signInInBrowser,
} from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

const STUDY = '1.2.826.0.1.3680043.10.9.7';

describe('a governance lead checks who opened a study, and exports it (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust')`);
    await addUser(web, 'grace.ig', { roles: ['governance'], trusts: ['RNH'] });
    await web.database.pool.query(
      `INSERT INTO audit_log (actor_kind, actor_id, actor_name, trust_code, action, subject_kind, subject_key, address,
                              request_id)
       VALUES ('user', 41, 'ron.radiographer', 'RNH', 'study.view', 'study', $1, '192.0.2.44', 'req-ron'),
              ('user', 42, 'pat.physicist', 'RNH', 'study.view', 'study', '1.2.3.999', '192.0.2.45', 'req-pat')`,
      [STUDY],
    );
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('signs in and finds the audit log in the navigation', async () => {
    await signInInBrowser(page, web!.kerma.url, 'grace.ig', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.getByRole('table');
    expect(await table.textContent())
      .to.include('ron.radiographer')
      .and.include('pat.physicist');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('filters by the study and sees only who opened it', async () => {
    await page.getByLabel('Subject').fill(STUDY);
    await page.getByLabel('Action', { exact: true }).fill('study.view');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/subject=/);
    const rows = page.getByRole('table').locator('tbody tr');
    expect(await rows.count()).to.equal(1);
    expect(await rows.first().textContent())
      .to.include('ron.radiographer')
      .and.include('req-ron');
    // The filter stays in the form, so the next search starts from it.
    expect(await page.getByLabel('Subject').inputValue()).to.equal(STUDY);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('says plainly when a filter matches nothing', async () => {
    await page.getByLabel('Actor', { exact: true }).fill('nobody.at.all');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No audit entries match these filters.').waitFor();
    await page.getByLabel('Actor', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('table').waitFor();
  });

  it('downloads the filtered entries as CSV from the link', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).to.match(/^kerma-audit-.*\.csv$/);
    const file = await download.path();
    const { readFile } = await import('node:fs/promises');
    const records = parse<Record<string, string>>(await readFile(file, 'utf8'), { columns: true });
    expect(records.map((r) => [r.actor_name, r.subject_key])).to.deep.equal([['ron.radiographer', STUDY]]);
  });

  it('left a trace of each look and of the export', async () => {
    const { rows } = await web!.database.pool.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE actor_name = 'grace.ig' AND action LIKE 'audit.%' ORDER BY audit_id`,
    );
    expect(rows.map((r) => r.action))
      .to.include('audit.view')
      .and.include('audit.export');
  });

  it('raised no console error on any page (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
