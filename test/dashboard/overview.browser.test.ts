import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { collectPageErrors, launchChromium, seriousAxeViolations, type TestBrowser } from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

describe('a physicist signs in and checks the overview (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await web.database.pool.query(`INSERT INTO trusts (code, name) VALUES ('RNH', 'Riverside NHS Trust')`);
    await addUser(web, 'priya.shah', { roles: ['physicist'], trusts: ['DEFAULT', 'RNH'] });
    const outcome = await web.kerma.ingest.ingestObject({
      bytes: buildCtRdsr(),
      transport: 'stow',
      sender: 'browser-test',
      trustCode: 'DEFAULT',
    });
    expect(outcome.status).to.equal('stored');
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('is sent to sign in, and the sign-in page has no serious accessibility problem', async () => {
    await page.goto(`${web!.kerma.url}/`);
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).to.equal(true);
    expect(new URL(page.url()).pathname).to.equal('/sign-in');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('signs in with the keyboard alone and sees the overview with their name and trusts', async () => {
    // The user name field has focus on arrival.
    await page.keyboard.type('priya.shah');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const header = page.getByRole('banner');
    expect(await header.textContent()).to.include('priya.shah');
    expect(await header.textContent()).to.include('physicist');
    expect(await header.textContent()).to.include('DEFAULT · RNH');
    expect(await page.getByRole('table', { name: /most recent studies/ }).textContent()).to.include('CT');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('reaches the content past the header with the skip link', async () => {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
  });

  it('signs out and is back on the sign-in page; the overview is closed again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${web!.kerma.url}/`);
    expect(new URL(page.url()).pathname).to.equal('/sign-in');
  });

  it('raised no console error on any page (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
