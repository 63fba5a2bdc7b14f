import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { extractDoseReport } from '../../ingest/index.ts';
import {
  collectPageErrors,
  launchChromium,
  seriousAxeViolations,
  type TestBrowser,
  signInInBrowser,
} from '../support/browser.ts';
import { chromium, corpus, CORPUS_DIR, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

const file = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(CORPUS_DIR, 'dicom', name)));

describe('a physicist opens a study and reads its events (Chromium)', function () {
  this.timeout(120_000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];
  const ids: Record<string, number> = {};

  async function ingest(name: string, trustCode: string): Promise<number> {
    const bytes = file(name);
    const outcome = await web!.kerma.ingest.ingestObject({
      bytes,
      transport: 'stow',
      sender: 'browser-test',
      trustCode,
    });
    expect(outcome.status).to.equal('stored');
    const uid = extractDoseReport(bytes).report.study.studyInstanceUid;
    const { rows } = await web!.database.pool.query<{ study_id: number }>(
      'SELECT study_id FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    return rows[0]!.study_id;
  }

  async function signIn(name: string): Promise<void> {
    await signInInBrowser(page, web!.kerma.url, name, TEST_PASSWORD);
  }

  before(async function () {
    requirePrerequisite(this, chromium());
    requirePrerequisite(this, corpus('dicom'));
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('TRA', 'Trust A'), ('TRB', 'Trust B')`);
    await addUser(web, 'priya.shah', { roles: ['physicist'], trusts: ['TRA'] });
    await addUser(web, 'sam.jones', { roles: ['radiographer'], trusts: ['TRB'] });
    ids.ct = await ingest('CT-RDSR-Toshiba_DoseCheck.dcm', 'TRA');
    ids.rf = await ingest('RF-Pat-Orientation-Modifier-Missing.dcm', 'TRA');
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('opens a CT study and sees its acquisitions, totals and the dose check that was overridden', async () => {
    await signIn('priya.shah');
    await page.goto(`${web!.kerma.url}/studies/${ids.ct}`);
    await page.getByRole('heading', { name: /^CT study/ }).waitFor();
    const events = page.getByRole('table', { name: /CT acquisitions/ });
    expect(await events.getByRole('row').count()).to.equal(3);
    expect(await events.getByRole('columnheader', { name: 'CTDIvol (mGy)' }).isVisible()).to.equal(true);
    expect(await page.getByRole('table', { name: /Dose Check/ }).textContent()).to.include('Luuk');
    expect(await page.getByRole('region', { name: /Every object received/ }).textContent()).to.include('STOW-RS');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('unfolds every other field of an event with the keyboard', async () => {
    const more = page
      .getByRole('table', { name: /CT acquisitions/ })
      .locator('summary')
      .first();
    await more.focus();
    await page.keyboard.press('Enter');
    const fields = page
      .getByRole('table', { name: /CT acquisitions/ })
      .locator('details[open] dl')
      .first();
    expect(await fields.textContent()).to.include('Exposure time per rotation (s)');
  });

  it('reads a 316-event fluoroscopy study in pages of 100, then all of it', async () => {
    await page.goto(`${web!.kerma.url}/studies/${ids.rf}`);
    const events = page.getByRole('table', { name: /Projection X-ray exposures/ });
    expect(await events.locator('tbody tr').count()).to.equal(100);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByRole('link', { name: 'Show all 316' }).click();
    await page.waitForURL(/events=all/);
    expect(
      await page
        .getByRole('table', { name: /Projection X-ray exposures/ })
        .locator('tbody tr')
        .count(),
    ).to.equal(316);
  });

  it('gives a radiographer of another trust "not found", as for a study that does not exist', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn('sam.jones');
    const response = await page.goto(`${web!.kerma.url}/studies/${ids.ct}`);
    expect(response?.status()).to.equal(404);
    expect(await page.getByRole('alert').textContent()).to.include('No such study in your trusts.');
    expect(await page.content()).not.to.include('ToshibaDoseChk');
  });

  it('raised no console error on any page (a CSP violation would be one)', () => {
    // The 404 document itself is reported by Chromium as a failed resource load; anything else is a fault.
    expect(errors.filter((e) => !/status of 404/.test(e))).to.deep.equal([]);
  });
});
