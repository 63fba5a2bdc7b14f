import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { scenarioDatabases } from '../conformance/databases.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { spawnKerma, type KermaChild } from '../support/kerma-child.ts';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.ts';
import { adminUrl, createEmptyDatabase, databaseUrl, dropDatabase } from '../support/test-database.ts';

const KEY = 'restart-test-key-'.padEnd(40, 'x');
const FILES = 400;

async function readyStatus(url: string): Promise<number> {
  return fetch(`${url}/readyz`, { signal: AbortSignal.timeout(15_000) }).then(
    (r) => r.status,
    () => 0,
  );
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Terminates the backends of Kerma's pool (57P01, as a server restart or an operator would). */
async function terminateKermaBackends(databaseName: string): Promise<number> {
  return withClient(adminUrl(), async (client) => {
    const { rowCount } = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'kerma'`,
      [databaseName],
    );
    return rowCount ?? 0;
  });
}

describe('database restarts under running processes', function () {
  this.timeout(240_000);
  let database: OwnPostgres | undefined;
  let work: string;

  before(async () => {
    database = await startOwnPostgres();
    work = await mkdtemp(path.join(tmpdir(), 'kerma-restart-'));
  });
  after(async () => {
    await database?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('kerma serve: /readyz 503 while the database is down, 200 after its restart, process alive', async () => {
    let kerma: KermaChild | undefined;
    try {
      kerma = spawnKerma(['serve'], {
        DATABASE_URL: database!.url,
        KERMA_PATIENT_ID_KEY: KEY,
        KERMA_DATA_DIR: path.join(work, 'serve'),
        KERMA_HTTP_PORT: '0',
        KERMA_DICOM_PORT: '0',
        KERMA_DB_CONNECT_TIMEOUT_MS: '2000',
      });
      const [, url] = await kerma.waitFor(/"url":"([^"]+)"[^\n]*"msg":"kerma listening"/);
      expect(await readyStatus(url!)).to.equal(200);
      await database!.stop();
      expect(await readyStatus(url!)).to.equal(503);
      await database!.start();
      await until('/readyz 200 after the restart', async () => (await readyStatus(url!)) === 200);
      expect(kerma.child.exitCode, kerma.output().slice(-2000)).to.equal(null);
    } finally {
      kerma?.kill();
    }
  });

  it('kerma import: finishes across a database restart and loses nothing', async () => {
    const folder = path.join(work, 'incoming');
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < FILES; i += 1) await writeFile(path.join(folder, `ct-${i}.dcm`), buildCtRdsr());
    let kerma: KermaChild | undefined;
    try {
      kerma = spawnKerma(['import', '--json', folder], {
        DATABASE_URL: database!.url,
        KERMA_PATIENT_ID_KEY: KEY,
        KERMA_DATA_DIR: path.join(work, 'import'),
        KERMA_DB_CONNECT_TIMEOUT_MS: '2000',
      });
      const stored = (): Promise<number> =>
        withClient(database!.url, async (c) => {
          const { rows } = await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM source_objects WHERE to_regclass('source_objects') IS NOT NULL`,
          );
          return rows[0]?.n ?? 0;
        }).catch(() => 0);
      await until('the import to store its first objects', async () => (await stored()) > 0);
      await database!.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await database!.start();
      const exit = await kerma.exited();
      expect(exit.code, kerma.output().slice(-3000)).to.equal(0);
      const summary = JSON.parse(kerma.output().trim().split('\n').at(-1)!) as { stored: number; failed: number };
      expect(summary.failed, kerma.output().slice(-3000)).to.equal(0);
      expect(await stored()).to.equal(FILES);
      const studies = await withClient(database!.url, (c) =>
        c.query<{ n: number }>('SELECT count(*)::int AS n FROM studies'),
      );
      expect(studies.rows[0]?.n).to.equal(FILES);
    } finally {
      kerma?.kill();
    }
  });
});

describe('connections terminated by the server (57P01)', function () {
  this.timeout(120_000);

  it('kerma serve keeps answering after its backends are terminated', async () => {
    const name = await createEmptyDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'kerma-terminate-'));
    let kerma: KermaChild | undefined;
    try {
      kerma = spawnKerma(['serve'], {
        DATABASE_URL: databaseUrl(name),
        KERMA_PATIENT_ID_KEY: KEY,
        KERMA_DATA_DIR: dataDir,
        KERMA_HTTP_PORT: '0',
        KERMA_DICOM_PORT: '0',
      });
      const [, url] = await kerma.waitFor(/"url":"([^"]+)"[^\n]*"msg":"kerma listening"/);
      expect(await readyStatus(url!)).to.equal(200);
      expect(await terminateKermaBackends(name)).to.be.greaterThan(0);
      await kerma.waitFor(/57P01/, 10_000);
      await until('/readyz 200 after the termination', async () => (await readyStatus(url!)) === 200);
      expect(kerma.child.exitCode, kerma.output().slice(-2000)).to.equal(null);
    } finally {
      kerma?.kill();
      await dropDatabase(name);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("the conformance command's scenario pool survives its idle connections being terminated", async () => {
    const scenario = await scenarioDatabases(adminUrl())();
    try {
      const { rows } = await scenario.pool.query<{ db: string }>('SELECT current_database() AS db');
      await withClient(adminUrl(), (c) =>
        c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [rows[0]!.db],
        ),
      );
      // No listener of the test's own: an unhandled 'error' event would fail this test as uncaught.
      await until('the pool to drop its terminated idle client', () => Promise.resolve(scenario.pool.idleCount === 0));
      const again = await scenario.pool.query<{ one: number }>('SELECT 1 AS one');
      expect(again.rows[0]?.one).to.equal(1);
    } finally {
      await scenario.drop();
    }
  });
});
