// The administration pages for `make screenshots`: an admin account, a few API keys and DICOM
// callers so the tables show what a configured region looks like, then one PNG per section.
import path from 'node:path';
import type pg from 'pg';
import type { Page } from 'playwright-core';
import { createApiKey, createUser } from '../access/index.ts';
import { queryRunner } from '../app/db/pool.ts';
import { PAGES } from '../dashboard/index.ts';

const SECTIONS = [
  [PAGES.adminUsers.path, 'admin-users.png'],
  [PAGES.adminApiKeys.path, 'admin-api-keys.png'],
  [PAGES.adminTrusts.path, 'admin-trusts.png'],
  [PAGES.adminCallingAeTitles.path, 'admin-dicom-callers.png'],
] as const;

export async function adminScreenshots(page: Page, url: string, pool: pg.Pool, out: string, password: string) {
  const db = queryRunner(pool);
  const { rows } = await pool.query<{ code: string }>('SELECT code FROM trusts ORDER BY code');
  const codes = rows.map((r) => r.code);
  await createUser(db, { name: 'ada.admin', roles: ['admin', 'governance'], trustCodes: codes, password });
  const [first, second] = codes.filter((c) => c !== 'DEFAULT');
  if (first) await createApiKey(db, `${first.toLowerCase()}-pacs`, first, ['ingest', 'read']);
  if (second) await createApiKey(db, `${second.toLowerCase()}-ris`, second, ['orders', 'duplicate-check']);
  await createApiKey(db, 'regional-engine', null, ['read', 'duplicate-check']);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('User name').fill('ada.admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  for (const [section, file] of SECTIONS) {
    await page.goto(`${url}${section}`);
    await page.screenshot({ path: path.join(out, file) });
  }
}
