import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  type TestBrowser,
  signInInBrowser,
} from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { quarantineStoredObject } from '../support/quarantine.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

describe('an administrator clears the quarantine after a sender was fixed (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  const notice = () => page.getByRole('status').filter({ hasText: 'Retried' });
  const rows = () => page.getByRole('table').getByRole('row');

  before(async function () {
    requirePrerequisite(this, chromium());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-quarantine-browser-'));
    web = await startWebHarness({ KERMA_DATA_DIR: dataDir });
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust')`);
    // Two objects an older extractor refused (their bytes are good now), and one that is truly broken.
    for (const sender of ['FIXED_CT_1', 'FIXED_CT_2']) {
      await quarantineStoredObject(web, dataDir, {
        bytes: buildCtRdsr(),
        trustCode: 'RNH',
        sender,
        reason: 'cannot extract: CTDIvol unit not recognised',
      });
    }
    const broken = await web.kerma.ingest.ingestObject({
      bytes: buildCtRdsr().subarray(0, 700),
      transport: 'stow',
      sender: 'BROKEN_CT',
      trustCode: 'RNH',
    });
    expect(broken.status).to.equal('quarantined');
    await addUser(web, 'ada.admin', { roles: ['admin'], trusts: ['RNH'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('signs in and opens the quarantine from the navigation: three entries, reasons and senders', async () => {
    await signInInBrowser(page, web!.kerma.url, 'ada.admin', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quarantine' }).click();
    await page.getByRole('heading', { name: 'Quarantine' }).waitFor();
    expect(await rows().count()).to.equal(4); // header and three entries
    expect(await page.getByRole('row', { name: /BROKEN_CT/ }).textContent()).to.match(/truncated|malformed|not_dicom/);
    expect(await page.getByRole('row', { name: /FIXED_CT_1/ }).textContent()).to.include('CTDIvol unit not recognised');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('retries one entry: it is stored and leaves the list', async () => {
    await page
      .getByRole('row', { name: /FIXED_CT_1/ })
      .getByRole('button', { name: /^Retry/ })
      .click();
    await notice().waitFor();
    expect(await notice().textContent()).to.equal('Retried 1: 1 now stored, 0 still in quarantine.');
    expect(await page.getByRole('row', { name: /FIXED_CT_1/ }).count()).to.equal(0);
    expect(await rows().count()).to.equal(3);
  });

  it('retries all with the keyboard: the good one is stored, the broken one stays with its retry counted', async () => {
    await page.getByRole('button', { name: 'Retry all' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/retried=2/);
    expect(await notice().textContent()).to.equal('Retried 2: 1 now stored, 1 still in quarantine.');
    expect(await rows().count()).to.equal(2);
    expect(await page.getByRole('row', { name: /BROKEN_CT/ }).textContent()).to.match(/1 \(last /);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('stored the two repaired studies and audited the three retries', async () => {
    const studies = await web!.database.pool.query(`SELECT count(*)::int AS n FROM studies`);
    expect(studies.rows[0]).to.deep.equal({ n: 2 });
    const audit = await web!.database.pool.query<{ outcome: string }>(
      `SELECT detail->'after'->>'outcome' AS outcome FROM audit_log WHERE action = 'quarantine.retry' ORDER BY audit_id`,
    );
    expect(audit.rows.map((r) => r.outcome).sort()).to.deep.equal(['quarantined', 'stored', 'stored']);
  });

  it('raised no console error (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
