import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  signInInBrowser,
  type TestBrowser,
} from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

/**
 * A physicist loads the RIS heights and weights that the dose reports lacked: uploads the file,
 * checks the columns Kerma picked from its header, corrects the height unit, previews, applies.
 */
const RIS_EXPORT = [
  'Exam date;Accession;Patient height;Patient weight',
  '2024-03-15;RXA-0001;1,68;72',
  '2024-03-15;RXA-0404;1,70;80',
  '2024-03-15;RXA-0002;1,75;950',
].join('\n');

describe('a physicist imports patient sizes from a RIS file (Chromium)', function () {
  this.timeout(120_000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];
  let studyId: number;

  const size = async () =>
    (
      await web!.database.pool.query<{ h: number | null; w: number | null }>(
        'SELECT patient_height_m AS h, patient_weight_kg AS w FROM studies WHERE study_id = $1',
        [studyId],
      )
    ).rows[0];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RXA', 'Riverside NHS Trust')`);
    for (const accession of ['RXA-0001', 'RXA-0002']) {
      const uid = newUid();
      const outcome = await web.kerma.ingest.ingestObject({
        bytes: writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), AccessionNumber: accession }),
        transport: 'stow',
        sender: 'size-browser',
        trustCode: 'RXA',
      });
      expect(outcome.status).to.equal('stored');
      if (accession === 'RXA-0001') {
        const { rows } = await web.database.pool.query<{ study_id: string }>(
          'SELECT study_id FROM studies WHERE study_instance_uid = $1',
          [uid],
        );
        studyId = Number(rows[0]!.study_id);
      }
    }
    await addUser(web, 'pat.physicist', { roles: ['physicist'], trusts: ['RXA'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('opens the page from the navigation and is offered the columns of the chosen file', async () => {
    await signInInBrowser(page, web!.kerma.url, 'pat.physicist', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patient size import' }).click();
    await page.getByRole('heading', { name: 'Patient size import' }).waitFor();
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByLabel('CSV file').setInputFiles({
      name: 'ris-export.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(RIS_EXPORT),
    });
    const keyColumn = page.getByLabel('Accession number or Study Instance UID column');
    await keyColumn.waitFor();
    // The header's names, and Kerma's guesses from them.
    expect(await keyColumn.locator('option').allTextContents()).to.deep.equal([
      'Exam date',
      'Accession',
      'Patient height',
      'Patient weight',
    ]);
    expect(await keyColumn.inputValue()).to.equal('2');
    expect(await page.getByLabel('Height column').inputValue()).to.equal('3');
    expect(await page.getByLabel('Weight column (kg)').inputValue()).to.equal('4');
    expect(await page.getByLabel('Match studies by').inputValue()).to.equal('accession');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('previews with the height unit corrected: nothing changes yet, and the refused rows are listed', async () => {
    await page.getByLabel('Height unit').selectOption('m');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Preview: nothing has been changed yet' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'rows' }).textContent()).to.equal(
      '3 rows: 1 applied, 0 unchanged, 2 not applied; would fill 1 height and 1 weight (1 study).',
    );
    const refused = page.getByRole('table', { name: 'Rows not applied' });
    expect(await refused.getByRole('row').allTextContents()).to.deep.equal([
      'RowReason',
      '3no study matches',
      '4the weight 950 kg is outside 0.5–400 kg',
    ]);
    expect(await size()).to.deep.equal({ h: null, w: null });
    // The answer came in place (htmx): the page did not move, so the chosen file stays selected.
    expect(new URL(page.url()).pathname).to.equal('/patient-size');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('applies the file and sees what was filled, linked to the study', async () => {
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'Imported' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'rows' }).textContent()).to.equal(
      '3 rows: 1 applied, 0 unchanged, 2 not applied; filled 1 height and 1 weight (1 study).',
    );
    const matched = page.getByRole('table', { name: 'Studies matched' });
    expect(await matched.getByRole('row').nth(1).textContent()).to.equal(`2Study ${studyId}1.68filled72filled`);
    expect(await matched.getByRole('link', { name: `Study ${studyId}` }).getAttribute('href')).to.equal(
      `/studies/${studyId}`,
    );
    expect(await size()).to.deep.equal({ h: 1.68, w: 72 });
    if (process.env.KERMA_SCREENSHOT) await page.screenshot({ path: process.env.KERMA_SCREENSHOT, fullPage: true });
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('raised no console error (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
