import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { computeLocalDrls, DEFAULT_WEIGHT_BAND, recomputeDoseMetrics } from '../../analytics/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
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
import { loadReferenceFixture } from '../analytics/support/reference-fixture.ts';
import { addDevice, addProcedure, addStudy, addTrust, HEAD_PHANTOM } from '../analytics/support/studies.ts';

interface ApiRoom {
  room: string;
  trustCode: string;
  minimum: number;
  firstQuartile: number;
  median: number;
  thirdQuartile: number;
  maximum: number;
  studies: number;
}
interface ApiReport {
  procedures: Array<{ quantities: Array<{ quantity: string; nationalDrl: { value: number }; rooms: ApiRoom[] }> }>;
}

const DAY_MS = 86_400_000;

describe('a physicist finds the CT rooms above the national DRL for head CT (Chromium)', function () {
  this.timeout(120_000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    const db = queryRunner(web.database.pool);
    await loadReferenceFixture(db);
    const rx1 = await addTrust(db, 'RX1');
    const rooms = { hot: await addDevice(db, rx1, 'CT Hot'), cool: await addDevice(db, rx1, 'CT Cool') };
    await addProcedure(db, {
      code: 'T-CTHEAD',
      name: 'CT Head',
      modality: 'CT',
      bodyRegion: 'HEAD',
      drlCategory: 'ct-head-acute-stroke',
    });
    // Within the page's default period (the twelve months to today); the last exams of each room today.
    const plan: Array<[number, number[]]> = [
      [rooms.hot, [820, 850, 900, 950, 1000]],
      [rooms.cool, [500, 550, 600, 650, 700]],
    ];
    for (const [deviceId, dlps] of plan) {
      for (const [i, dlp] of dlps.entries()) {
        await addStudy(db, {
          trustId: rx1,
          deviceId,
          modality: 'CT',
          time: new Date(Date.now() - (dlps.length - 1 - i) * 20 * DAY_MS).toISOString(),
          procedure: 'T-CTHEAD',
          ageYears: 55,
          weightKg: 75,
          dlpMgyCm: dlp,
          events: [{ kind: 'ct', ctdivolMgy: dlp / 17, dlpMgyCm: dlp, details: { ctdiwPhantomType: HEAD_PHANTOM } }],
        });
      }
    }
    await recomputeDoseMetrics(db);
    const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    await computeLocalDrls(db, {
      from: '2000-01-01',
      to: yesterday,
      timeZone: 'Europe/London',
      minSample: 3,
      weightBand: DEFAULT_WEIGHT_BAND,
      computedBy: 'test',
    });
    await addUser(web, 'priya.physicist', { roles: ['physicist'], trusts: ['RX1'] });
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('sees on the overview that one room is above the national DRL', async () => {
    await signInInBrowser(page, web!.kerma.url, 'priya.physicist', TEST_PASSWORD);
    const table = page.getByRole('table', { name: /above the national DRL/ });
    expect(await table.textContent()).to.include('CT Hot');
    expect(await table.textContent()).to.not.include('CT Cool');
    const figures = await page.getByRole('region', { name: 'Dose reports received' }).textContent();
    expect(figures).to.include('1rooms above the national DRL');
    expect(figures).to.include('exams above a national DRL this week');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('opens DRL compliance: the table flags the hot room and the box plot is the API figures', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'DRL compliance' }).click();
    await page.getByRole('heading', { name: 'DRL compliance' }).waitFor();
    await page.getByLabel('Minimum sample per room').fill('3');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.waitForURL(/minSample=3/);
    const hot = page.getByRole('row', { name: /CT Hot/ }).filter({ hasText: 'DLP per exam' });
    expect(await hot.textContent()).to.include('Above national DRL');
    const cool = page.getByRole('row', { name: /CT Cool/ }).filter({ hasText: 'DLP per exam' });
    expect(await cool.textContent()).to.not.include('Above national DRL');

    const chart = await drawnChart(page, '#drl-box-plot');
    const api = (await (
      await page.request.get(`${web!.kerma.url}/api/v1/analytics/drl-compliance?minSample=3`)
    ).json()) as ApiReport;
    const dlp = api.procedures[0]!.quantities.find((q) => q.quantity === 'dlp_mgycm')!;
    expect(chart.type).to.equal('boxplot');
    expect(chart.labels).to.deep.equal(dlp.rooms.map((r) => `${r.room} (${r.trustCode})`));
    const boxes = chart.datasets[0]!.data as Array<Record<string, number>>;
    expect(boxes.map((b) => [b.min, b.q1, b.median, b.q3, b.max])).to.deep.equal(
      dlp.rooms.map((r) => [r.minimum, r.firstQuartile, r.median, r.thirdQuartile, r.maximum]),
    );
    expect(dlp.rooms.find((r) => r.room === 'CT Hot')!.median).to.equal(900);
    const lines = await page.evaluate(() => {
      const c = (
        globalThis as unknown as {
          Chart: {
            getChart(e: Element | null): {
              options: { plugins: { annotation: { annotations: Record<string, { yMin: number }> } } };
            };
          };
        }
      ).Chart.getChart(document.querySelector('#drl-box-plot canvas'));
      return Object.fromEntries(Object.entries(c.options.plugins.annotation.annotations).map(([k, v]) => [k, v.yMin]));
    });
    expect(lines.nationalDrl).to.equal(dlp.nationalDrl.value);
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('sorts by ratio to the national DRL, highest first', async () => {
    await page.getByRole('link', { name: /^Sort by ratio to the national DRL/ }).click();
    await page.getByRole('link', { name: /^Sort by ratio to the national DRL/ }).click();
    await page.waitForURL(/dir=desc/);
    const first = await page.locator('table tbody tr').first().textContent();
    expect(first).to.include('CT Hot');
  });

  it('follows the hot room to the studies behind its median', async () => {
    const api = (await (
      await page.request.get(`${web!.kerma.url}/api/v1/analytics/drl-compliance?minSample=3`)
    ).json()) as ApiReport;
    const hotRoom = api.procedures[0]!.quantities.find((q) => q.quantity === 'dlp_mgycm')!.rooms.find(
      (r) => r.room === 'CT Hot',
    )!;
    await page
      .getByRole('row', { name: /CT Hot/ })
      .filter({ hasText: 'DLP per exam' })
      .getByRole('link', { name: /studies behind the median/ })
      .click();
    await page.getByRole('heading', { name: 'Studies' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'match' }).textContent()).to.include(
      `${hotRoom.studies} studies match`,
    );
  });

  it('opens one of those studies and reads its effective dose and DRL comparison with their sources', async () => {
    await page.locator('#study-results table tbody a').first().click();
    const section = page.getByRole('region', { name: 'Dose estimates and DRL comparison' });
    await section.waitFor();
    const text = (await section.textContent()) ?? '';
    expect(text).to.include('k-factor × DLP');
    // The k-factor's set: the builtin Shrimpton edition seeded at start, or the fixture's own.
    expect(text).to.match(/Shrimpton|CT effective dose per DLP \(k\)/);
    expect(text).to.include('Above');
    expect(await seriousAxeViolations(page)).to.deep.equal([]);
  });

  it('raised no console error on any page (a CSP violation would be one)', () => {
    expect(errors).to.deep.equal([]);
  });
});
