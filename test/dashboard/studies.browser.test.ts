import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { collectPageErrors, launchChromium, seriousAxeViolations, type TestBrowser } from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, signInCookie, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';
import { loadStudyRegion, type StudyRegion } from './support/study-region.ts';

async function signIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/studies`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Studies' }).waitFor();
}

/** The text of one column of the results table. */
async function columnTexts(page: Page, header: string): Promise<string[]> {
  const headers = await page.locator('.study-table thead th').allTextContents();
  const index = headers.findIndex((h) => h.startsWith(header));
  if (index < 0) throw new Error(`no column ${header} in ${headers.join(' | ')}`);
  return page.locator(`.study-table tbody tr td:nth-child(${index + 1})`).allTextContents();
}

describe('a physicist looks for high-dose CT studies of their trust (Chromium)', function () {
  this.timeout(180_000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let region: StudyRegion;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    region = await loadStudyRegion(web.database.pool, 400);
    await addUser(web, 'priya.shah', { roles: ['physicist'], trusts: [region.trustCodes[0]!] });
    await addUser(web, 'rob.radiographer', { roles: ['radiographer'], trusts: [region.trustCodes[1]!] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('signs in, opens Studies from the navigation and sees only their trust, with units in the headers', async () => {
    await signIn(page, web!.kerma.url, 'priya.shah');
    await page.goto(`${web!.kerma.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Studies' }).click();
    await page.getByRole('table').waitFor();
    expect(new Set(await columnTexts(page, 'Trust'))).to.deep.equal(new Set([region.trustCodes[0]]));
    const headers = (await page.locator('.study-table thead th').allTextContents()).join(' | ');
    for (const unit of ['DLP (mGy·cm)', 'Max CTDIvol (mGy)', 'DAP (Gy·cm²)', 'Ka,r (Gy)', 'Weight (kg)']) {
      expect(headers).to.include(unit);
    }
    expect(await page.getByRole('status').filter({ hasText: 'studies match' }).textContent()).to.match(
      /\d+ studies match/,
    );
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('filters CT studies above a DLP with the form; the URL can be bookmarked and agrees with the API', async () => {
    // A mark on the window survives an htmx swap but not a page load.
    await page.evaluate(() => Object.assign(window, { kermaNoReload: true }));
    await page.getByLabel('Modality').selectOption('CT');
    await page.getByText('Patient and dose filters').click();
    await page.getByRole('group', { name: 'Total DLP (mGy·cm)' }).getByLabel('at least').fill('300');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/modality=CT/);
    await page.getByRole('table').waitFor();
    expect(new Set(await columnTexts(page, 'Modality'))).to.deep.equal(new Set(['CT']));
    expect(await page.evaluate(() => 'kermaNoReload' in window), 'results swapped by htmx').to.equal(true);
    for (const dlp of await columnTexts(page, 'DLP')) expect(Number(dlp.replace(/,/g, ''))).to.be.at.least(300);
    // The same filters through the API give the same count.
    const cookie = await signInCookie(web!.kerma.url, 'priya.shah');
    const api = (await (
      await fetch(`${web!.kerma.url}/api/v1/studies?${new URL(page.url()).searchParams.toString()}`, {
        headers: { cookie },
      })
    ).json()) as { count: { count: number } };
    expect(await page.getByText(/studies match/).textContent()).to.include(`${api.count.count} studies match`);
    // The bookmark: the URL alone reproduces the list.
    const first = await columnTexts(page, 'Study time');
    await page.goto(page.url());
    expect(await columnTexts(page, 'Study time')).to.deep.equal(first);
    expect(await page.getByLabel('Modality').inputValue()).to.equal('CT');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('sorts by DLP and pages forward and back through the results', async () => {
    await page.goto(`${web!.kerma.url}/studies?limit=10`);
    await page.getByRole('link', { name: /^DLP/ }).click();
    await page.waitForURL(/sort=dlp/);
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).to.equal('descending');
    const firstPage = await columnTexts(page, 'Study time');
    const dlps = (await columnTexts(page, 'DLP')).map((d) => Number(d.replace(/,/g, '')));
    expect(dlps).to.deep.equal([...dlps].sort((a, b) => b - a));
    await page.getByRole('link', { name: 'Next page →' }).click();
    await page.waitForURL(/after=/);
    const secondPage = await columnTexts(page, 'Study time');
    expect(secondPage).to.have.length(10);
    expect(secondPage).not.to.deep.equal(firstPage);
    await page.getByRole('link', { name: '← Previous page' }).click();
    await page.waitForURL(/before=/);
    expect(await columnTexts(page, 'Study time')).to.deep.equal(firstPage);
  });

  it('says plainly when nothing matches and when a filter is wrong', async () => {
    await page.goto(`${web!.kerma.url}/studies?description=no-such-study-anywhere`);
    expect(await page.getByRole('status').filter({ hasText: 'No studies match' }).isVisible()).to.equal(true);
    const response = await page.goto(`${web!.kerma.url}/studies?weightMin=heavy`);
    expect(response?.status()).to.equal(400);
    expect(await page.getByRole('alert').textContent()).to.include('weightMin');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('opens a study from its row (the link carries the study id)', async () => {
    await page.goto(`${web!.kerma.url}/studies`);
    const href = await page.locator('.study-table tbody tr').first().getByRole('link').getAttribute('href');
    expect(href).to.match(/^\/studies\/\d+$/);
  });

  it("shows a radiographer of the other trust only that trust's studies", async () => {
    const other = await browser!.context.browser()?.newContext();
    const otherPage = other ? await other.newPage() : await browser!.context.newPage();
    try {
      if (!other) await browser!.context.clearCookies();
      await signIn(otherPage, web!.kerma.url, 'rob.radiographer');
      expect(new Set(await columnTexts(otherPage, 'Trust'))).to.deep.equal(new Set([region.trustCodes[1]]));
    } finally {
      await otherPage.close();
      await other?.close();
    }
  });

  it('raised no console error on any page (a CSP violation would be one)', () => {
    // The wrong filter's page is a 400 on purpose; Chromium reports every 4xx document load.
    const unexpected = errors.filter((e) => !e.includes('status of 400'));
    expect(unexpected).to.deep.equal([]);
  });
});
