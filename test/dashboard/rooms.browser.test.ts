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
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

describe('an administrator names a room and moves it to the trust that owns it (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(
      `INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust'), ('SNH', 'Seaview NHS Trust')`,
    );
    const outcome = await web.kerma.ingest.ingestObject({
      bytes: buildCtRdsr(),
      transport: 'stow',
      sender: 'rooms-browser',
      trustCode: 'RNH',
    });
    expect(outcome.status).to.equal('stored');
    await addUser(web, 'ada.admin', { roles: ['admin'], trusts: ['RNH', 'SNH'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('opens Rooms and devices from the navigation and sees the room under its derived name', async () => {
    await signInInBrowser(page, web!.kerma.url, 'ada.admin', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rooms and devices' }).click();
    await page.getByRole('heading', { name: 'Rooms and devices' }).waitFor();
    const row = page.getByRole('row', { name: /Test Hospital ROOM1/ });
    expect(await row.textContent()).to.include('Kerma Test Systems');
    expect(await row.textContent()).to.not.include('named by');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('changes the display name and the trust with labelled fields, and sees the result in the list', async () => {
    await page.getByRole('link', { name: 'Change Test Hospital ROOM1' }).click();
    await page.getByRole('heading', { name: 'Change Test Hospital ROOM1' }).waitFor();
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
    await page.getByLabel('Display name').fill('CT 1 Main Department');
    await page.getByLabel('Trust').selectOption('SNH');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Saved' }).textContent()).to.equal(
      'Saved: CT 1 Main Department (SNH).',
    );
    const row = page.getByRole('row', { name: /CT 1 Main Department/ });
    expect(await row.textContent()).to.include('SNH');
    expect(await row.textContent()).to.include('named by ada.admin');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('raised no console error (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
