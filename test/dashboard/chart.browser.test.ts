import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import helmet from 'helmet';
import type { Page } from 'playwright-core';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { CONTENT_SECURITY_POLICY } from '../../app/http/server.ts';
import { Chart, CHART_SCRIPTS, HtmlDocument, type ChartConfig } from '../../dashboard/components/index.ts';
import { staticAssetsRouter } from '../../dashboard/static-assets.ts';
import { collectPageErrors, drawnChart, launchChromium, type TestBrowser } from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';

/** The chart component every analytics page is built from, drawn in Chromium under Kerma's CSP. */
describe('the Chart component (Chromium)', function () {
  this.timeout(60000);
  let server: Server | undefined;
  let url = '';
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  const boxplot: ChartConfig = {
    type: 'boxplot',
    data: {
      labels: ['CT 1', 'CT 2'],
      datasets: [
        {
          label: 'DLP per exam',
          data: [
            [410, 520, 600, 640, 700],
            [800, 820, 900, 950],
          ],
        },
      ],
    },
    options: {
      kermaUnit: 'mGy·cm',
      plugins: {
        annotation: {
          annotations: { ndrl: { type: 'line', yMin: 790, yMax: 790, label: { display: true, content: 'NDRL 790' } } },
        },
      },
    },
  };
  const line: ChartConfig = {
    type: 'line',
    data: { labels: ['2025-W01', '2025-W02'], datasets: [{ label: 'median', data: [700, 505] }] },
  };

  before(async function () {
    requirePrerequisite(this, chromium());
    const app = express();
    app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } }));
    app.use(staticAssetsRouter());
    app.get('/', (_req, res) => {
      // Plain h() calls: test files are .ts, outside the TSX build.
      const html = renderToString(
        h(HtmlDocument, {
          title: 'Charts',
          scripts: CHART_SCRIPTS,
          children: h('main', null, [
            h(Chart, {
              id: 'box',
              label: 'DLP per room',
              config: boxplot,
              children: 'Room medians: CT 1 600, CT 2 860 mGy·cm.',
            }),
            h(Chart, { id: 'trend', label: 'Weekly median', config: line }),
          ]),
        }),
      );
      res.type('html').send(`<!doctype html>${html}`);
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('draws a box plot with its DRL line and a line chart from the server-written configuration', async () => {
    await page.goto(url);
    const box = await drawnChart(page, '#box');
    expect(box.type).to.equal('boxplot');
    expect(box.labels).to.deep.equal(['CT 1', 'CT 2']);
    expect(box.datasets[0]?.data).to.deep.equal([
      [410, 520, 600, 640, 700],
      [800, 820, 900, 950],
    ]);
    const trend = await drawnChart(page, '#trend');
    expect(trend.datasets[0]?.data).to.deep.equal([700, 505]);
    // The annotation plugin is registered: its line is part of the drawn chart's options.
    const annotated = await page.evaluate(() => {
      const c = (
        globalThis as unknown as {
          Chart: {
            getChart(e: Element | null): {
              options: { plugins: { annotation?: { annotations: Record<string, unknown> } } };
            };
          };
        }
      ).Chart.getChart(document.querySelector('#box canvas'));
      return Object.keys(c.options.plugins.annotation?.annotations ?? {});
    });
    expect(annotated).to.deep.equal(['ndrl']);
    expect(await page.locator('#box figcaption').textContent()).to.include('CT 2 860');
    expect(errors).to.deep.equal([]);
  });
});
