import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/** The ingest harness's identifier secret: the command must hash accession numbers with the same one. */
const SECRET = 'test-secret-'.repeat(4);

/** `kerma patient-size import …` as an operator runs it: a real process on the test database. */
function kerma(
  database: TestDatabase,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/kerma.js', 'patient-size', 'import', ...args], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: database.url,
        KERMA_LOG_LEVEL: 'silent',
        KERMA_PATIENT_ID_KEY: SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('kerma patient-size import (command line)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dir: string;
  const ids: Record<string, number> = {};

  const csvFile = (name: string, content: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const sizes = async () =>
    (
      await database.pool.query<{ study_id: string; h: number | null; w: number | null; hs: string | null }>(
        `SELECT study_id, patient_height_m AS h, patient_weight_kg AS w, patient_height_source AS hs
           FROM studies ORDER BY study_id`,
      )
    ).rows.map((r) => [Number(r.study_id), r.h, r.w, r.hs]);

  before(async () => {
    database = await freshDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'kerma-size-cli-'));
    const { service } = testIngestService(database);
    for (const [name, header] of [
      ['a', { AccessionNumber: 'RIS0001', PatientWeight: '70' }],
      ['b', { AccessionNumber: 'RIS0002' }],
    ] as const) {
      const uid = newUid();
      const outcome = await service.ingestObject({
        bytes: writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), ...header }),
        transport: 'file',
        sender: 'cli-test',
        trustCode: 'DEFAULT',
      });
      expect(outcome.status).to.equal('stored');
      const { rows } = await database.pool.query<{ study_id: string }>(
        'SELECT study_id FROM studies WHERE study_instance_uid = $1',
        [uid],
      );
      ids[name] = Number(rows[0]!.study_id);
    }
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('previews with --dry-run, then fills the missing sizes and lists the rows it did not apply', async () => {
    // No header: columns by number; semicolons; heights in metres with a decimal comma.
    const file = csvFile('ris.csv', 'RIS0001;1,62;71\nRIS0002;1,80;82,5\nRIS9999;1,70;60\nRIS0002;180;82,5\n');
    const options = ['--no-header', '--key-column', '1', '--height-column', '2', '--weight-column', '3'];
    const preview = await kerma(database, [file, ...options, '--height-unit', 'm', '--dry-run']);
    expect(preview.status, preview.stderr).to.equal(0);
    expect(preview.stdout).to.include('dry run: 4 rows: 2 applied, 0 unchanged, 2 not applied');
    expect(await sizes()).to.deep.equal([
      [ids.a, null, 70, null],
      [ids.b, null, null, null],
    ]);

    const applied = await kerma(database, [file, ...options, '--height-unit', 'm']);
    expect(applied.status, applied.stderr).to.equal(0);
    expect(applied.stdout.split('\n')).to.deep.equal([
      'row 3: no study matches',
      'row 4: the height 180 m is outside 0.3–2.5 m (is the height unit right?)',
      '4 rows: 2 applied, 0 unchanged, 2 not applied; filled 2 heights and 1 weight (2 studies)',
      '',
    ]);
    expect(await sizes()).to.deep.equal([
      [ids.a, 1.62, 70, 'imported'],
      [ids.b, 1.8, 82.5, 'imported'],
    ]);
    // The file path and the accession numbers stay out of what it prints.
    expect(applied.stdout + applied.stderr)
      .to.not.include(dir)
      .and.not.include('RIS');
  });

  it('prints one JSON object with --json; the same file again changes nothing', async () => {
    const file = csvFile('again.csv', 'Accession Number,Height (cm),Weight (kg)\nRIS0001,162,71\n');
    const result = await kerma(database, [file, '--json']);
    expect(result.status, result.stderr).to.equal(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).to.include({
      rows: 1,
      applied: 0,
      unchanged: 1,
      heightsFilled: 0,
      weightsFilled: 0,
      dryRun: false,
    });
    expect(summary.studyIds).to.deep.equal([]);
    expect(summary).to.not.have.property('outcomes');
  });

  it('exits 1 with the reason for a column the file lacks, an unknown trust or a missing file', async () => {
    const file = csvFile('bad.csv', 'Accession,Height\nRIS0001,162\n');
    const noColumn = await kerma(database, [file, '--weight-column', 'Mass']);
    expect(noColumn.status).to.equal(1);
    expect(noColumn.stderr).to.include(
      'no column "Mass" for the weight; the file\'s columns are "Accession", "Height"',
    );
    const noTrust = await kerma(database, [file, '--trust', 'NOWHERE']);
    expect(noTrust.status).to.equal(1);
    expect(noTrust.stderr).to.include('no trust has the code "NOWHERE"');
    const missing = await kerma(database, [path.join(dir, 'absent.csv')]);
    expect(missing.status).to.equal(1);
    expect(missing.stderr).to.include('cannot read the CSV file (ENOENT)').and.not.include(dir);
  });
});
