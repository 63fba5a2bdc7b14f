import { expect } from 'chai';
import type { Page } from 'playwright-core';
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
import { loadTrendFixture } from './support/trend-fixture.ts';

interface TrendApi {
  series: Array<{
    room?: { name: string };
    drl: { value: number } | null;
    points: Array<{ periodStart: string; p25: number; median: number; p75: number }>;
  }>;
}

describe('a physicist sees what happened to dose on the scanner whose protocol changed (Chromium)', function () {
  this.timeout(90000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await loadTrendFixture(web.database.pool);
    await addUser(web, 'phoebe', { roles: ['physicist'], trusts: ['TA', 'TB'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('opens Dose trends, picks the period, and reads the step change and its explanation', async () => {
    await signInInBrowser(page, web!.kerma.url, 'phoebe', TEST_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dose trends' }).click();
    await page.getByRole('heading', { name: 'Dose trends', level: 1 }).waitFor();
    await page.getByLabel('From date').fill('2024-01-01');
    await page.getByLabel('To date (included)').fill('2024-06-30');
    await page.getByLabel('Modality').selectOption('CT');
    await page.getByRole('button', { name: 'Show trends' }).click();
    await page.getByRole('heading', { name: 'CT A (TA) · CT Head' }).waitFor();
    const row = page.getByRole('row', { name: /CT A \(TA\) · CT Head/ });
    expect(await row.textContent()).to.match(/2024-04-01.*×0\.72.*fell from 600 to 432 mGy·cm/);
    expect(await page.getByRole('row', { name: /CT B/ }).count()).to.equal(0);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('draws the weekly median and the IQR band exactly as the API gives them', async () => {
    const api = (await (
      await page.request.get(`${web!.kerma.url}/api/v1/analytics/trends?from=2024-01-01&to=2024-06-30&modality=CT`)
    ).json()) as TrendApi;
    const series = api.series.find((s) => s.room?.name === 'CT A')!;
    const chart = await drawnChart(page, '#trend-0');
    expect(chart.type).to.equal('line');
    expect(chart.labels).to.deep.equal(series.points.map((p) => p.periodStart));
    const data = (label: string) => chart.datasets.find((d) => d.label?.startsWith(label))?.data;
    expect(data('Median')).to.deep.equal(series.points.map((p) => p.median));
    expect(data('25th')).to.deep.equal(series.points.map((p) => p.p25));
    expect(data('Interquartile')).to.deep.equal(series.points.map((p) => p.p75));
    // The DRL line and the step marker are annotations of the configuration the server wrote.
    const config = JSON.parse((await page.locator('#trend-0 canvas').getAttribute('data-chart'))!) as {
      options: { plugins: { annotation: { annotations: Record<string, { yMin?: number; xMin?: string }> } } };
    };
    const annotations = config.options.plugins.annotation.annotations;
    expect(annotations.drl?.yMin).to.equal(series.drl!.value);
    expect(annotations.step0?.xMin).to.equal('2024-04-01');
  });

  it('raised no console error (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
