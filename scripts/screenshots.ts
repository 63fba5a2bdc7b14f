// `make screenshots`: pictures of the web application for the README, from a synthetic region.
// A region of 2,000 exams is loaded directly (the history), then a week of dose reports generated as
// DICOM and imported (the arrivals the overview counts), into a temporary embedded database on ports
// of its own. Needs Debian's chromium. Writes docs/screenshots/*.png at 1366x768.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createUser } from '../access/index.ts';
import { loadConfig } from '../app/config/index.ts';
import { queryRunner } from '../app/db/pool.ts';
import { startKerma, type RunningKerma } from '../app/kerma.ts';
import { createLogger } from '../app/logger.ts';
import type { Page } from 'playwright-core';
import type { QueryRunner } from '../core/index.ts';
import { CHROMIUM, CHROMIUM_MISSING, chromiumInstalled, launchChromium } from '../test/support/browser.ts';
import { adminScreenshots } from './screenshots-admin.ts';

const OUT = path.resolve('docs', 'screenshots');
const PASSWORD = 'screenshots only, thrown away';

function kerma(env: NodeJS.ProcessEnv, args: string[]): void {
  const result = spawnSync(process.execPath, ['bin/kerma.js', ...args], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`kerma ${args.join(' ')} exited with ${result.status}`);
}

function loadRegion(env: NodeJS.ProcessEnv, dir: string): void {
  kerma(env, ['generate', '--mode', 'direct', '--exams', '2000', '--seed', '7', '--years', '1']);
  const recent = path.join(dir, 'recent');
  const weekAgo = new Date(Date.now() - 6 * 86400_000).toISOString().slice(0, 10);
  kerma(env, [
    'generate',
    '--mode',
    'dicom',
    '--out',
    recent,
    '--exams',
    '150',
    '--seed',
    '8',
    '--years',
    '0.02',
    '--start',
    weekAgo,
  ]);
  const withTrusts = { ...env, KERMA_TRUSTS_FILE: path.join(recent, 'trusts.json') };
  const trusts = readdirSync(recent, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const { name: trust } of trusts) {
    kerma(withTrusts, ['import', '--trust', trust, path.join(recent, trust)]);
  }
}

/** The audit log, after the sign-ins and administration above (ada.admin is also governance). */
async function screenshotAuditLog(baseUrl: string, page: Page): Promise<void> {
  await page.goto(`${baseUrl}/audit`);
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await page.screenshot({ path: path.join(OUT, 'audit.png') });
}

/**
 * The study page is reached from a list, not the menu: one imported fluoroscopy study (it has
 * source objects, a merge history and the fluoroscopy/acquisition split), else any imported study.
 */
async function shootStudy(page: Page, baseUrl: string, db: QueryRunner): Promise<void> {
  const { rows } = await db.query<{ study_id: number }>({
    text: `SELECT s.study_id FROM studies s
            WHERE EXISTS (SELECT 1 FROM source_objects o WHERE o.study_id = s.study_id)
            ORDER BY (s.modality = 'RF') DESC, s.event_count DESC, s.study_id LIMIT 1`,
  });
  if (!rows[0]) throw new Error('no imported study to show');
  await page.goto(`${baseUrl}/studies/${rows[0].study_id}`);
  await page.getByRole('heading', { name: /study/ }).first().waitFor();
  await page.screenshot({ path: path.join(OUT, 'study.png') });
}

/** A dose report cut short in transit, as a flaky link leaves one: the quarantine page has something to show. */
async function quarantineOneObject(running: RunningKerma, dir: string): Promise<void> {
  const trustDir = path.join(dir, 'recent', 'SYNA');
  const first = readdirSync(trustDir, { recursive: true, withFileTypes: true }).find(
    (entry) => entry.isFile() && entry.name.endsWith('.dcm'),
  );
  if (!first) return;
  const bytes = readFileSync(path.join(first.parentPath, first.name));
  await running.ingest.ingestObject({
    bytes: bytes.subarray(0, Math.floor(bytes.length / 2)),
    transport: 'dimse',
    sender: 'SYNA_CT02',
    trustCode: 'SYNA',
  });
}

async function main(): Promise<void> {
  if (!chromiumInstalled()) {
    process.stdout.write(`${CHROMIUM_MISSING}\n`);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kerma-screenshots-'));
  // Run as root, the embedded server drops to the postgres user, which must reach its data directory.
  chmodSync(dir, 0o755);
  const env = {
    ...process.env,
    DATABASE_URL: '',
    KERMA_DATA_DIR: path.join(dir, 'data'),
    KERMA_EMBEDDED_PG_PORT: '54391',
    KERMA_HTTP_PORT: '18091',
    KERMA_DICOM_ENABLED: 'false',
    KERMA_LOG_LEVEL: 'warn',
  };
  try {
    loadRegion(env, dir);
    const running = await startKerma(loadConfig(env), createLogger('warn', process.stderr));
    const browser = await launchChromium();
    try {
      await createUser(queryRunner(running.database.pool), {
        name: 'priya.shah',
        roles: ['physicist'],
        trustCodes: ['SYNA', 'SYNB'],
        password: PASSWORD,
      });
      mkdirSync(OUT, { recursive: true });
      const page = await browser.context.newPage();
      await page.goto(`${running.url}/sign-in`);
      await page.getByLabel('User name').fill('priya.shah');
      await page.screenshot({ path: path.join(OUT, 'sign-in.png') });
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await page.screenshot({ path: path.join(OUT, 'overview.png') });
      await shootStudy(page, running.url, queryRunner(running.database.pool));
      await adminScreenshots(page, running.url, running.database.pool, OUT, PASSWORD);
      await quarantineOneObject(running, dir);
      for (const [pagePath, heading, file] of [
        ['/rooms', 'Rooms and devices', 'rooms.png'],
        ['/quarantine', 'Quarantine', 'quarantine.png'],
        // The direct-loaded year of the region is 2024 (the generator's default start).
        ['/drl-compliance?from=2024-01-01&to=2024-12-31&modality=CT', 'DRL compliance', 'drl-compliance.png'],
        ['/dose-trends?from=2024-01-01&to=2024-12-31&modality=CT', 'Dose trends', 'dose-trends.png'],
        ['/procedure-mapping', 'Procedure mapping', 'procedure-mapping.png'],
        ['/reference-levels', 'Reference levels', 'reference-levels.png'],
        ['/patient-size', 'Patient size import', 'patient-size.png'],
      ] as const) {
        await page.goto(`${running.url}${pagePath}`);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        // Charts are drawn after load (static/charts.js): wait for every one before the picture.
        await page.waitForFunction(() =>
          Array.from(document.querySelectorAll('canvas[data-chart]')).every((c) => c.hasAttribute('data-chart-drawn')),
        );
        await page.screenshot({ path: path.join(OUT, file), fullPage: true });
      }
      await page.goto(`${running.url}/studies?sort=dlp&modality=CT`);
      await page.getByRole('heading', { name: 'Studies' }).waitFor();
      await page.screenshot({ path: path.join(OUT, 'studies.png') });
      await screenshotAuditLog(running.url, page);
      process.stdout.write(`screenshots in ${OUT} (${CHROMIUM})\n`);
    } finally {
      await browser.close();
      await running.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
