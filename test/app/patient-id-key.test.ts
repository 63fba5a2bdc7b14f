import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { loadConfig } from '../../app/config/index.ts';
import { patientIdSecret } from '../../app/secrets.ts';
import { createEmptyDatabase, databaseUrl, dropDatabase } from '../support/test-database.ts';

describe('patient identifier key', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-key-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to serve an external database without KERMA_PATIENT_ID_KEY, before touching it', async () => {
    const name = await createEmptyDatabase();
    try {
      const result = spawnSync(process.execPath, ['bin/kerma.js', 'serve'], {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: databaseUrl(name),
          KERMA_DATA_DIR: dataDir,
          KERMA_HTTP_PORT: '0',
          KERMA_DICOM_PORT: '0',
        },
        encoding: 'utf8',
        // A serve that starts would never return: the timeout turns that into a failure, not a hang.
        timeout: 30_000,
        killSignal: 'SIGKILL',
      });
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.include('KERMA_PATIENT_ID_KEY').and.include('DATABASE_URL');
      expect(result.stderr).not.to.match(/\n\s+at /);
      // Not migrated: the refusal came before any work on the database.
      const client = new pg.Client({ connectionString: databaseUrl(name) });
      await client.connect();
      const { rows } = await client
        .query(`SELECT to_regclass('kerma_schema_migrations') AS t`)
        .finally(() => client.end());
      const tables = rows[0] as { t: unknown };
      expect(tables.t).to.equal(null);
    } finally {
      await dropDatabase(name);
    }
  });

  it('keeps generating one key under the data directory for the embedded database', async () => {
    const config = loadConfig({ KERMA_DATA_DIR: dataDir });
    const first = await patientIdSecret(config);
    expect(await patientIdSecret(config)).to.equal(first);
    expect(readFileSync(path.join(dataDir, 'patient-id.key'), 'utf8').trim()).to.equal(first);
  });

  it('uses the configured key with an external database', async () => {
    const key = 'k'.repeat(40);
    const config = loadConfig({
      DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
      KERMA_PATIENT_ID_KEY: key,
      KERMA_DATA_DIR: dataDir,
    });
    expect(await patientIdSecret(config)).to.equal(key);
  });
});
