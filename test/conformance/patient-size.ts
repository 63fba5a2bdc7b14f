import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type pg from 'pg';
import { createUser } from '../../access/index.ts';
import type { PatientSizeSummary } from '../../analytics/index.ts';
import { registerPatientSizeCommand } from '../../app/cli/patient-size-command.ts';
import { loadConfig } from '../../app/config/index.ts';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { startKerma } from '../../app/kerma.ts';
import { silentLogger } from '../support/logger.ts';

/**
 * The peer's patient-size scenarios (`patient-size-csv-import-command-line`, `…-web`): a CSV of
 * heights and weights keyed on accession number, applied to three imported studies. The CSV is the
 * one the scenario describes ("ACC12345601: 170 cm / 90 kg; …"); the command-line action runs
 * `kerma patient-size import` as the CLI registers it, the web action uploads the file through the
 * "Patient size import" page over HTTP, signed in, with its CSRF token.
 */
export const PATIENT_SIZE_ACTION = /^apply patient size CSV \((_ptsizeinsert x3|websizeimport)\)$/;

/** The scenario's file: one row per "ACCESSION: H cm / W kg" of its description. */
export function scenarioCsv(description: string): string | undefined {
  const rows = [...description.matchAll(/(\w+): ([\d.]+) cm \/ ([\d.]+) kg/g)];
  if (rows.length === 0) return undefined;
  return `Accession number,Height (cm),Weight (kg)\n${rows.map(([, acc, h, w]) => `${acc},${h},${w}`).join('\n')}\n`;
}

export interface SizeDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
}

function tempCsv(csv: string): { file: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kerma-size-'));
  const file = path.join(dir, 'sizes.csv');
  writeFileSync(file, csv);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `kerma patient-size import FILE --json` through the command's own registration and option parsing. */
export async function importByCommandLine(
  database: SizeDatabase,
  secret: string,
  csv: string,
): Promise<PatientSizeSummary> {
  const csvFile = tempCsv(csv);
  let printed = '';
  const program = new Command().exitOverride();
  registerPatientSizeCommand(
    program,
    () =>
      Promise.resolve({
        deps: { transaction: (work) => withTransaction(database.pool, work), patientIdSecret: secret },
        close: () => Promise.resolve(),
      }),
    { out: (text) => void (printed += text), err: () => undefined },
  );
  try {
    await program.parseAsync(['patient-size', 'import', csvFile.file, '--height-unit', 'cm', '--json'], {
      from: 'user',
    });
  } finally {
    csvFile.remove();
  }
  return JSON.parse(printed) as PatientSizeSummary;
}

const USER = 'conformance.physicist';
const PASSWORD = 'conformance scenario password 7';

async function signIn(baseUrl: string): Promise<string> {
  const page = await fetch(`${baseUrl}/sign-in`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const signInCookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const response = await fetch(`${baseUrl}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signInCookie },
    body: new URLSearchParams({ _csrf: token, name: USER, password: PASSWORD }).toString(),
  });
  const session = response.headers.getSetCookie().find((c) => c.includes('kerma_session='));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed with ${response.status}`);
  return session.split(';')[0]!;
}

/**
 * A physicist of the DEFAULT trust uploads the file on the Patient size import page (a Kerma serving
 * HTTP on the scenario's database) and applies it with the columns the page offers from the header.
 * Resolves to the page's answer: its status and text.
 */
export async function importThroughWeb(
  database: SizeDatabase,
  secret: string,
  csv: string,
): Promise<{ status: number; text: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-size-web-'));
  const kerma = await startKerma(
    loadConfig({
      DATABASE_URL: database.url,
      KERMA_HTTP_PORT: '0',
      KERMA_DICOM_ENABLED: 'false',
      KERMA_DATA_DIR: dataDir,
      KERMA_PATIENT_ID_KEY: secret,
    }),
    silentLogger,
  );
  try {
    await createUser(queryRunner(database.pool), {
      name: USER,
      roles: ['physicist'],
      trustCodes: ['DEFAULT'],
      password: PASSWORD,
    });
    const cookie = await signIn(kerma.url);
    const page = await (await fetch(`${kerma.url}/patient-size`, { headers: { cookie } })).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const form = new FormData();
    form.set('_csrf', token);
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'sizes.csv');
    form.set('header', 'on');
    form.set('trust', 'DEFAULT');
    form.set('heightUnit', 'cm');
    form.set('match', 'accession');
    form.set('keyColumn', 'Accession number');
    form.set('heightColumn', 'Height (cm)');
    form.set('weightColumn', 'Weight (kg)');
    const response = await fetch(`${kerma.url}/patient-size`, { method: 'POST', headers: { cookie }, body: form });
    return { status: response.status, text: await response.text() };
  } finally {
    await kerma.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
