import { expect } from 'chai';
import type { Page } from 'playwright-core';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  signInInBrowser,
  type TestBrowser,
} from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

const csvEdition = (edition: string, dlpMgyCm: number): string =>
  'set_key,kind,title,publisher,edition,effective_from,source_title,value_key,modality,drl_category,quantity,value,status,status_note\n' +
  `rnh-local-ct,local-drl,Riverside local CT DRLs,Riverside medical physics,${edition},${edition}-01-01,Riverside dose audit,` +
  `head,CT,ct-head-acute-stroke,dlp_mgycm,${dlpMgyCm},C,\n` +
  ',,,,,,,chest,CT,ct-chest-lung-cancer,dlp_mgycm,240,S,from the regional survey\n';

describe('a physicist loads local DRLs and sees the new edition supersede the old one (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await addUser(web, 'pat.physicist', { roles: ['physicist'] });
    await addUser(web, 'gil.governance', { roles: ['governance'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('opens Reference levels and sees the builtin sets and, plainly, the tables that are not available', async () => {
    await signInInBrowser(page, web!.kerma.url, 'pat.physicist', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reference levels' }).click();
    await page.getByRole('heading', { name: 'Reference levels', level: 1 }).waitFor();
    const current = page.getByRole('table', { name: 'Reference sets in their current edition' });
    const ndrl = current.getByRole('row', { name: /UK national diagnostic reference levels: adult CT examinations/ });
    expect(await ndrl.textContent()).to.include('2024-11-20');
    expect(await current.getByRole('row', { name: /Size-specific dose estimate/ }).textContent()).to.include(
      '4 S: verify against primary',
    );
    const missing = page.getByRole('region', { name: 'Not available in the reference data' });
    expect(await missing.textContent()).to.include('UK paediatric CT NDRLs by age band');
    expect(await missing.textContent()).to.include('mammography');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('shows a set’s figures with units and the S flag', async () => {
    await page.getByRole('link', { name: /Size-specific dose estimate/ }).click();
    const figures = page.getByRole('table', { name: /Figures of aapm-ssde/ });
    await figures.waitFor();
    const b = figures.getByRole('row', { name: /SSDE coefficient b/ }).first();
    expect(await b.textContent()).to.include('0.03671937 1/cm');
    expect(await b.textContent()).to.include('S: verify against primary');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByRole('link', { name: 'Back to reference levels' }).click();
  });

  it('imports a CSV set, then a new edition, and sees the first one superseded', async () => {
    await page.getByLabel('Reference set (JSON or CSV)').fill(csvEdition('2026', 700));
    await page.getByRole('button', { name: 'Import set' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported edition 2026' }).waitFor();
    expect(await page.getByRole('status').textContent()).to.include('It is the first edition of this set.');
    const figures = page.getByRole('table', { name: /Figures of rnh-local-ct/ });
    expect(await figures.getByRole('row', { name: /chest/ }).textContent()).to.include('240 mGy·cm');
    expect(await figures.getByRole('row', { name: /chest/ }).textContent()).to.include('S: verify against primary');

    await page.getByRole('link', { name: 'Back to reference levels' }).click();
    await page.getByLabel('Reference set (JSON or CSV)').fill(csvEdition('2027', 650));
    await page.getByRole('button', { name: 'Import set' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported edition 2027' }).waitFor();
    expect(await page.getByRole('status').textContent()).to.include('It supersedes edition 2026.');
    const editions = page.getByRole('table', { name: /Every edition of rnh-local-ct/ });
    expect(await editions.getByRole('row', { name: /^2026/ }).textContent()).to.include('Superseded by edition 2027');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);

    await page.getByRole('link', { name: 'Back to reference levels' }).click();
    const superseded = page.getByRole('table', { name: 'Editions replaced by a newer edition of the same set' });
    expect(await superseded.getByRole('row', { name: /Riverside local CT DRLs/ }).textContent()).to.include(
      'edition 2027',
    );
  });

  it('keeps the text and names the row and column when the set is wrong, and refuses the same edition again', async () => {
    await page.getByLabel('Reference set (JSON or CSV)').fill(csvEdition('2028', 700).replace(',700,', ',7oo,'));
    await page.getByRole('button', { name: 'Import set' }).click();
    const problem = page.getByRole('alert');
    await problem.waitFor();
    expect(await problem.textContent()).to.include('row 2, column value: "7oo" is not a number');
    expect(await page.getByLabel('Reference set (JSON or CSV)').inputValue()).to.include('7oo');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByLabel('Reference set (JSON or CSV)').fill(csvEdition('2027', 650));
    await page.getByRole('button', { name: 'Import set' }).click();
    await page.getByRole('alert').filter({ hasText: 'already has an edition "2027"' }).waitFor();
  });

  it('shows a governance lead the sets without the import form', async () => {
    const other = await browser!.context.browser()!.newContext();
    try {
      const governancePage = await other.newPage();
      const governanceErrors = collectPageErrors(governancePage);
      await signInInBrowser(governancePage, web!.kerma.url, 'gil.governance', TEST_PASSWORD);
      await governancePage.goto(`${web!.kerma.url}/reference-levels`);
      await governancePage.getByRole('heading', { name: 'Current editions' }).waitFor();
      expect(await governancePage.getByRole('button', { name: 'Import set' }).count()).to.equal(0);
      expect(governanceErrors).to.deep.equal([]);
    } finally {
      await other.close();
    }
  });

  it('raised no console error (a CSP violation would be one) beyond the two refusals it provoked', () => {
    // The refused imports answer 400 and 409 (the form comes back with the problem), which Chromium
    // logs as failed loads; anything else (a script error, a CSP violation) fails here.
    const refusal = /^Failed to load resource: the server responded with a status of (400|409) /;
    expect(errors.filter((e) => refusal.test(e))).to.have.length(2);
    expect(errors.filter((e) => !refusal.test(e))).to.deep.equal([]);
  });
});
