import type { Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { createHttpApp, listen } from '../../app/http/server.ts';
import { createIngestService, createObjectStore } from '../../ingest/index.ts';
import { authenticateApiKey, createApiKey } from '../../ingest/transports/api-keys.ts';
import { importFiles } from '../../ingest/transports/file-import.ts';
import { createQuarantineRouter } from '../../ingest/transports/quarantine-routes.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { silentLogger } from '../support/logger.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/** Folders named after the patient are common on the disks a bulk import reads. */
const PATIENT_FOLDER = 'SMITHERINGTON^JOHANNA 1961-02-03';
const FILE_NAME = 'JOHANNA-CT.dcm';

/** Every row of every table of the public schema, as text. */
async function everyStoredValue(db: TestDatabase): Promise<string> {
  const { rows: tables } = await db.pool.query<{ name: string }>(
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const dumps: string[] = [];
  for (const { name } of tables) {
    const { rows } = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    dumps.push(...rows.map((r) => r.row));
  }
  return dumps.join('\n');
}

describe('bulk import keeps file paths out of stored and served data', () => {
  let db: TestDatabase;
  let work: string;
  let server: Server | undefined;

  before(async () => {
    db = await freshDatabase();
    work = await mkdtemp(path.join(tmpdir(), 'kerma-import-exposure-'));
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await db?.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('names the import run, never the folder, in the database and in the quarantine API', async () => {
    const folder = path.join(work, 'incoming', PATIENT_FOLDER);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, FILE_NAME), buildCtRdsr());
    // Cut inside the SR content: quarantined, so it shows in the quarantine list.
    await writeFile(path.join(folder, 'JOHANNA-broken.dcm'), buildCtRdsr().subarray(0, 600));
    const dataDir = path.join(work, 'data');
    const objects = createObjectStore(dataDir);
    const service = createIngestService({
      transaction: (w) => withTransaction(db.pool, w),
      db: queryRunner(db.pool),
      objects,
      logger: silentLogger,
      patientIdSecret: 'x'.repeat(32),
      timeZone: 'Europe/London',
      notPatientPatterns: { ids: [], names: [] },
    });
    const summary = await importFiles({
      paths: [path.join(work, 'incoming')],
      ingest: { commitPrepared: service.commitPrepared, commitPreparedBatch: service.commitPreparedBatch, objects },
      trustCode: 'DEFAULT',
      logger: silentLogger,
      workers: 1,
      journal: { directory: path.join(dataDir, 'import-journal'), scope: db.url },
    });
    expect(summary).to.deep.include({ stored: 1, quarantined: 1, failed: 0 });

    const stored = await everyStoredValue(db);
    for (const fragment of [work, 'SMITHERINGTON', 'JOHANNA']) expect(stored).not.to.include(fragment);
    expect(stored).to.include(`import:${summary.runId}`);

    const runner = queryRunner(db.pool);
    const key = await createApiKey(runner, 'operator', 'DEFAULT');
    const app = createHttpApp({
      pool: db.pool,
      logger: silentLogger,
      routers: [
        {
          path: '/',
          router: createQuarantineRouter({
            db: runner,
            authenticate: (k) => authenticateApiKey(runner, k),
            logger: silentLogger,
          }),
        },
      ],
    });
    const listening = await listen(app, '127.0.0.1', 0);
    server = listening.server;
    const response = await fetch(`${listening.url}/api/v1/quarantine`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    expect(response.status).to.equal(200);
    expect(body).to.include(`import:${summary.runId}`);
    for (const fragment of [work, 'SMITHERINGTON', 'JOHANNA']) expect(body).not.to.include(fragment);
  });
});
