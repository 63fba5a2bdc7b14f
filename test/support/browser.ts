import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`make test` installs it when it can; see test/support/prerequisites.ts). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = 'skipped: chromium not installed (apt-get install chromium)';
export const chromiumInstalled = (): boolean => existsSync(CHROMIUM);

export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless, offline-quiet Chromium on a fresh profile that is deleted on close. */
export async function launchChromium(viewport = { width: 1366, height: 768 }): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'kerma-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Console errors and page errors (a CSP violation is reported as a console error). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: unknown }>;
}

let axeSource: string | undefined;
/**
 * axe-core from node_modules, evaluated through the DevTools protocol (which the page's CSP does not
 * govern, unlike an injected script tag); returns the serious and critical violations.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** Signs in through the sign-in form, as a user would, and waits for the overview it lands on. */
export async function signInInBrowser(page: Page, baseUrl: string, name: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** What chart.js drew on a page's chart (components/chart.tsx), for comparing with the API. */
export interface DrawnChart {
  readonly type: string;
  readonly labels: unknown[];
  readonly datasets: Array<{ label?: string; data: unknown[] }>;
}

/** Waits for the chart inside `selector` (a figure id, e.g. '#drl-boxplot') to be drawn and reads its data. */
export async function drawnChart(page: Page, selector: string): Promise<DrawnChart> {
  const canvas = page.locator(`${selector} canvas[data-chart-drawn]`);
  await canvas.waitFor();
  return canvas.evaluate((element) => {
    const chart = (
      globalThis as unknown as {
        Chart: { getChart(c: unknown): { config: { type: string }; data: DrawnChart } | undefined };
      }
    ).Chart.getChart(element);
    if (!chart) throw new Error('no chart on this canvas');
    return {
      type: chart.config.type,
      labels: [...(chart.data.labels ?? [])],
      datasets: chart.data.datasets.map((d) => ({ label: d.label, data: [...d.data] })),
    };
  });
}
