import { expect } from 'chai';
import type { Page } from 'playwright-core';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  signInInBrowser,
  type TestBrowser,
} from '../support/browser.ts';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

describe('a physicist maps an unmapped description and puts the rule first (Chromium)', function () {
  this.timeout(120_000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  /** The rule numbers in table order, read from the "Edit rule N" links. */
  async function ruleOrder(): Promise<number[]> {
    const names = await page.locator('#rules a', { hasText: 'Edit' }).allTextContents();
    return names.map((n) => Number(/rule (\d+)/.exec(n)?.[1]));
  }

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RAA', 'Riverside NHS Trust')`);
    for (const uid of ['2.25.9001', '2.25.9002']) {
      const bytes = writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), StudyDescription: 'CT Mystery scan' });
      const outcome = await web.kerma.ingest.ingestObject({
        bytes,
        transport: 'stow',
        sender: 'browser',
        trustCode: 'RAA',
      });
      expect(outcome.status).to.equal('stored');
    }
    await addUser(web, 'pat.physicist', { roles: ['physicist'], trusts: ['RAA'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('opens Procedure mapping from the navigation and sees the description no rule matches', async () => {
    await signInInBrowser(page, web!.kerma.url, 'pat.physicist', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Procedure mapping' }).click();
    await page.getByRole('heading', { name: 'Procedure mapping', level: 1 }).waitFor();
    const unmapped = page.getByRole('region', { name: 'Descriptions no rule matches, most studies first' });
    const row = unmapped.getByRole('row', { name: /CT Mystery scan/ });
    expect(await row.textContent()).to.include('RAA');
    expect(await row.locator('td').first().textContent()).to.equal('2');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('tests the description: no rule matches', async () => {
    await page.getByLabel('Study description').fill('CT Mystery scan');
    await page.getByLabel('Modality').selectOption('CT');
    await page.getByRole('button', { name: 'Test' }).click();
    await page.locator('#probe-result', { hasText: 'No rule matches' }).waitFor();
  });

  it('makes a rule from the unmapped description; the description leaves the list', async () => {
    await page.getByRole('link', { name: 'Make a rule from CT Mystery scan (CT, RAA)' }).click();
    await page.getByRole('heading', { name: 'Add a rule' }).waitFor();
    expect(await page.getByLabel('Study description').inputValue()).to.equal('CT Mystery scan');
    expect(await page.getByLabel('Modalities').inputValue()).to.equal('CT');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByRole('button', { name: 'Add rule' }).click();
    // Without a standard procedure the form says which field is missing.
    await page.getByRole('alert').filter({ hasText: 'Not saved: Standard procedure is required.' }).waitFor();
    await page.getByLabel('Standard procedure').selectOption('CT-ABDO');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'added' });
    await notice.waitFor();
    expect(await notice.textContent()).to.match(/^Rule \d+ added\. History re-mapped: 2 studies changed\.$/);
    expect(await page.getByRole('row', { name: /CT Mystery scan/ }).count()).to.equal(1); // only the rule's own row
    expect(await page.locator('#unmapped').textContent()).to.include('0 studies in 0 descriptions');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('moves the new rule up in place (htmx) and the test now names its procedure', async () => {
    const before = await ruleOrder();
    const added = Math.max(...before);
    expect(before.at(-1)).to.equal(added);
    const url = page.url();
    await page.getByRole('button', { name: `Up move rule ${added} up` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Rule ${added} moved` })
      .waitFor();
    const after = await ruleOrder();
    expect(after.at(-2)).to.equal(added);
    expect(after.at(-1)).to.equal(before.at(-2));
    expect(page.url()).to.equal(url);
    await page.getByLabel('Study description').fill('ct mystery scan');
    await page.getByRole('button', { name: 'Test' }).click();
    await page.locator('#probe-result', { hasText: `Rule ${added}` }).waitFor();
    expect(await page.locator('#probe-result').textContent()).to.include('CT Abdomen (CT-ABDO)');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('raised no console error (a CSP violation would be one) beyond the refused form’s 400', () => {
    expect(errors).to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
