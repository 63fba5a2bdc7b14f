import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { createUser } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { spawnKerma, type KermaChild } from '../support/kerma-child.ts';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.ts';
import { signInCookie, TEST_PASSWORD } from '../support/web.ts';

const KEY = 'page-outage-test-key-'.padEnd(40, 'x');

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A signed-in user opens the overview as a browser does (asking for HTML). */
async function openOverview(url: string, cookie: string): Promise<{ status: number; type: string; html: string }> {
  const response = await fetch(`${url}/`, {
    headers: { cookie, accept: 'text/html' },
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', html: await response.text() };
}

describe('pages during a database outage (kerma serve on a server the test restarts)', function () {
  this.timeout(240_000);
  let database: OwnPostgres | undefined;
  let work: string;

  before(async () => {
    database = await startOwnPostgres();
    work = await mkdtemp(path.join(tmpdir(), 'kerma-page-outage-'));
  });
  after(async () => {
    await database?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('answers a signed-in page 503 with the error page while the database is stopped, and recovers after', async () => {
    let kerma: KermaChild | undefined;
    try {
      kerma = spawnKerma(['serve'], {
        DATABASE_URL: database!.url,
        KERMA_PATIENT_ID_KEY: KEY,
        KERMA_DATA_DIR: path.join(work, 'serve'),
        KERMA_HTTP_PORT: '0',
        KERMA_DICOM_ENABLED: 'false',
        KERMA_DB_CONNECT_TIMEOUT_MS: '2000',
      });
      const [, url] = await kerma.waitFor(/"url":"([^"]+)"[^\n]*"msg":"kerma listening"/);
      const pool = new pg.Pool({ connectionString: database!.url, max: 1 });
      pool.on('error', () => undefined);
      try {
        await createUser(queryRunner(pool), {
          name: 'olive.outage',
          roles: ['physicist'],
          trustCodes: ['DEFAULT'],
          password: TEST_PASSWORD,
        });
      } finally {
        await pool.end();
      }
      const cookie = await signInCookie(url!, 'olive.outage');
      const before = await openOverview(url!, cookie);
      expect(before.status).to.equal(200);
      expect(before.html).to.include('<h1>Overview</h1>');

      await database!.stop();
      const during = await openOverview(url!, cookie);
      expect(during.status, during.html.slice(0, 500)).to.equal(503);
      expect(during.type).to.match(/^text\/html/);
      expect(during.html).to.include('Temporarily unavailable').and.include('cannot reach its database');
      // Nothing of the driver's own message (host, port, role) reaches the page.
      expect(during.html).to.not.match(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      // The API side of the same outage stays JSON.
      const api = await fetch(`${url}/api/v1/audit`, { headers: { cookie } });
      expect(api.status).to.equal(503);
      expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('unavailable');

      await database!.start();
      await until('the overview to open again after the restart', async () => {
        const after = await openOverview(url!, cookie).catch(() => undefined);
        return after?.status === 200 && after.html.includes('<h1>Overview</h1>');
      });
      expect(kerma.child.exitCode, kerma.output().slice(-2000)).to.equal(null);
      expect(kerma.output()).to.not.match(/"level":(50|60)[^\n]*"msg":"(page failed|request failed)"/);
    } finally {
      kerma?.kill();
    }
  });
});
