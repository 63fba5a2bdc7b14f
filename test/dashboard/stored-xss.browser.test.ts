import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { PAGES, type PageSpec } from '../../dashboard/index.ts';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { collectPageErrors, launchChromium, type TestBrowser, signInInBrowser } from '../support/browser.ts';
import { chromium, requirePrerequisite } from '../support/prerequisites.ts';
import { addUser, startWebHarness, TEST_PASSWORD, type WebHarness } from '../support/web.ts';

/**
 * Hostile text in the fields a modality writes freely (study description, protocol, station,
 * institution). Each would run script, add an element or a link if any page rendered it unescaped.
 */
const PAYLOADS = {
  imgOnerror: '<img src=x onerror=alert(1)>',
  scriptClose: '</script><script>alert(2)</script>',
  javascriptUrl: 'javascript:alert(3)',
  attributeBreak: '"><svg onload=alert(4)>',
  quoteBreak: "' onmouseover='alert(5)",
} as const;

/** Study description, station, institution and protocol each carry a payload, rotated per study. */
function hostileRdsr(rotation: number): Uint8Array {
  const payloads = Object.values(PAYLOADS);
  const pick = (field: number): string => payloads[(field + rotation) % payloads.length]!;
  const dataset = ctRdsrDataset({ protocol: pick(3), patientId: `XSS${rotation}` });
  return writePart10({
    ...dataset,
    StudyDescription: pick(0),
    StationName: pick(1),
    InstitutionName: pick(2),
  });
}

/** What an injection would leave in the DOM; empty when every payload stayed text. */
async function injectedElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const selectors = [
      'img[src="x"]',
      'svg[onload]',
      '[onerror]',
      '[onload]',
      '[onmouseover]',
      'a[href^="javascript:" i]',
      'form[action^="javascript:" i]',
      'script:not([src])',
    ];
    for (const selector of selectors) {
      for (const element of Array.from(document.querySelectorAll(selector)))
        found.push(element.outerHTML.slice(0, 120));
    }
    for (const script of Array.from(document.querySelectorAll('script[src]'))) {
      const src = new URL((script as HTMLScriptElement).src, location.href);
      if (src.origin !== location.origin || !src.pathname.startsWith('/static/')) found.push(script.outerHTML);
    }
    return found;
  });
}

describe('stored XSS: hostile DICOM text on every page (Chromium)', function () {
  this.timeout(180_000);
  let web: WebHarness | undefined;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];
  const dialogs: string[] = [];
  const shownPayloads = new Set<string>();
  const visited: string[] = [];

  before(async function () {
    requirePrerequisite(this, chromium());
    web = await startWebHarness();
    await addUser(web, 'xss.admin', { roles: ['admin', 'physicist', 'governance'], trusts: ['DEFAULT'] });
    for (const rotation of [0, 1, 2, 3, 4]) {
      const outcome = await web.kerma.ingest.ingestObject({
        bytes: hostileRdsr(rotation),
        transport: 'stow',
        sender: 'xss-test',
        trustCode: 'DEFAULT',
      });
      expect(outcome.status).to.equal('stored');
    }
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()} on ${page.url()}`);
      void dialog.dismiss();
    });
    await signInInBrowser(page, web.kerma.url, 'xss.admin', TEST_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
  });

  async function visit(path: string): Promise<string[]> {
    await page.goto(`${web!.kerma.url}${path}`);
    await page.waitForLoadState('networkidle');
    visited.push(path);
    const text = (await page.locator('body').textContent()) ?? '';
    for (const payload of Object.values(PAYLOADS)) if (text.includes(payload)) shownPayloads.add(payload);
    return injectedElements(page);
  }

  it('renders every navigation page and every study page linked from them as text, never as markup', async () => {
    const pages = (Object.values(PAGES) as PageSpec[]).filter((p) => !p.path.includes(':'));
    const injected: string[] = [];
    const studyLinks = new Set<string>();
    for (const spec of pages) {
      injected.push(...(await visit(spec.path)).map((html) => `${spec.path}: ${html}`));
      const hrefs = await page.$$eval('a[href^="/studies/"]', (links) =>
        links.map((a) => a.getAttribute('href') ?? ''),
      );
      for (const href of hrefs) if (/^\/studies\/\d+$/.test(href)) studyLinks.add(href);
    }
    for (const link of studyLinks) injected.push(...(await visit(link)).map((html) => `${link}: ${html}`));
    expect(injected).to.deep.equal([]);
  });

  it('showed each payload somewhere, so the pages above did render the hostile fields', () => {
    // Without this, a page that dropped the fields would pass the test above without proving anything.
    expect([...shownPayloads].sort()).to.deep.equal(Object.values(PAYLOADS).sort(), `visited ${visited.join(', ')}`);
  });

  it('opened no dialog and raised no console error (a blocked inline script is a CSP console error)', () => {
    expect(dialogs).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });
});
