import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { buildCtRdsr, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import {
  collectPageErrors,
  drawnChart,
  launchChromium,
  seriousAxeViolations,
  signInInBrowser,
  type TestBrowser,
} from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

const NHS_NUMBER = '9434765919';

describe('a radiographer checks a patient’s dose history across trusts before a repeat CT (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(
      `INSERT INTO trusts (code, name, nhs_number_source) VALUES ('RNH', 'Riverside', 'patient_id'), ('SNH', 'Seaview', 'patient_id')`,
    );
    const ingest = async (bytes: Uint8Array, trustCode: string) =>
      expect(
        (await web!.kerma.ingest.ingestObject({ bytes, transport: 'stow', sender: 'test', trustCode })).status,
      ).to.equal('stored');
    await ingest(buildCtRdsr({ patientId: NHS_NUMBER, studyDate: '20240315' }), 'RNH');
    await ingest(buildCtRdsr({ patientId: NHS_NUMBER, studyDate: '20240420' }), 'SNH');
    await ingest(buildProjectionRdsr({ patientId: NHS_NUMBER, studyDate: '20240601' }), 'SNH');
    // Effective doses fixed here, whatever the metrics recompute estimated at ingest.
    await web.kerma.ingest.drainAnalytics(); // the recompute queued by ingest runs first, not after
    await web.database.pool.query(`UPDATE study_dose_metrics SET effective_dose_msv = NULL`);
    await web.database.pool.query(
      `INSERT INTO study_dose_metrics (study_id, effective_dose_msv, effective_dose_method)
       SELECT study_id, CASE WHEN trust_id = (SELECT trust_id FROM trusts WHERE code = 'RNH') THEN 2.5 ELSE 3 END, 'ct-k-factor'
       FROM studies WHERE modality = 'CT'
       ON CONFLICT (study_id) DO UPDATE
       SET effective_dose_msv = EXCLUDED.effective_dose_msv, effective_dose_method = EXCLUDED.effective_dose_method`,
    );
    await addUser(web, 'rosa', { roles: ['radiographer'], trusts: ['RNH', 'SNH'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('looks the patient up by NHS number and reads the timeline and the cumulative dose', async () => {
    await signInInBrowser(page, web!.kerma.url, 'rosa', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patient dose history' }).click();
    await page.getByRole('heading', { name: 'Patient dose history', level: 1 }).waitFor();
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByLabel('NHS number').fill('943 476 5919');
    await page.getByLabel('Window from').fill('2024-01-01');
    await page.getByLabel('Window to (included)').fill('2024-12-31');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: 'Exams across RNH, SNH' }).waitFor();
    const rows = page.getByRole('region', { name: 'Timeline of exams, oldest first' }).getByRole('row');
    expect(await rows.count()).to.equal(4); // header and three exams
    expect(await rows.nth(2).textContent()).to.match(/SNH.*CT.*3.*5\.5/);
    // The identifier is not written back into the page.
    expect(await page.content()).to.not.include(NHS_NUMBER);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('draws the running cumulative effective dose exactly as the API gives it', async () => {
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const response = await page.request.post(`${web!.kerma.url}/api/v1/analytics/patient-dose`, {
      headers: { 'x-csrf-token': csrf },
      data: { nhsNumber: NHS_NUMBER },
    });
    expect(response.status()).to.equal(200);
    const api = (await response.json()) as {
      timeline: Array<{ cumulativeEffectiveDoseMsv: number | null; effectiveDoseMsv: number | null }>;
    };
    const chart = await drawnChart(page, '#cumulative-dose');
    const data = (label: string) => chart.datasets.find((d) => d.label?.startsWith(label))?.data;
    expect(data('Cumulative')).to.deep.equal(api.timeline.map((e) => e.cumulativeEffectiveDoseMsv));
    expect(data('Effective dose of the exam')).to.deep.equal(api.timeline.map((e) => e.effectiveDoseMsv));
    expect(data('Cumulative')).to.deep.equal([2.5, 5.5, 5.5]);
  });

  it('raised no console error (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });

  it('says plainly when an NHS number is mistyped', async () => {
    await page.getByLabel('NHS number').fill('943 476 5918');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a valid NHS number' }).waitFor();
    // The refused form comes back as a 400 page, which Chromium logs; nothing else may appear.
    expect(errors).to.deep.equal(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
