import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { embeddedLayout, locateBinaries } from '../../app/db/embedded-layout.ts';
import { stopWithin } from '../../app/kerma.ts';
import { removeEmbeddedData } from '../support/embedded-data.ts';
import { recordingLogger } from '../support/logger.ts';
import { spawnKerma, type KermaChild } from '../support/kerma-child.ts';
import { freePort, startOwnPostgres, type OwnPostgres } from '../support/own-postgres.ts';

const DEADLINE_MS = 3000;

/** Waits for the child's exit, or reports it still running past the deadline and a margin. */
async function exitWithinDeadline(kerma: KermaChild): Promise<void> {
  const sentAt = Date.now();
  kerma.child.kill('SIGTERM');
  const exit = await Promise.race([
    kerma.exited(),
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), DEADLINE_MS + 5000)),
  ]);
  expect(exit, kerma.output().slice(-2000)).to.not.equal('still running');
  expect(Date.now() - sentAt).to.be.below(DEADLINE_MS + 5000);
}

describe('stopWithin', () => {
  it('gives up on a stop that never finishes at the deadline, with exit code 1 and a log line', async () => {
    const logger = recordingLogger();
    const startedAt = Date.now();
    const code = await stopWithin({ stop: () => new Promise<void>(() => undefined) }, 200, logger);
    expect(code).to.equal(1);
    expect(Date.now() - startedAt).to.be.within(150, 2000);
    expect(logger.records.map((r) => r.message)).to.include('shutdown deadline passed: exiting with work unfinished');
  });

  it('answers 0 for a stop in time and 1 for a failed one', async () => {
    expect(await stopWithin({ stop: () => Promise.resolve() }, 1000, recordingLogger())).to.equal(0);
    expect(await stopWithin({ stop: () => Promise.reject(new Error('x')) }, 1000, recordingLogger())).to.equal(1);
  });
});

describe('kerma serve shutdown', function () {
  this.timeout(180_000);
  let database: OwnPostgres | undefined;
  let dataDir: string;

  before(async () => {
    database = await startOwnPostgres();
    dataDir = await mkdtemp(path.join(tmpdir(), 'kerma-shutdown-'));
  });
  after(async () => {
    await database?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits on SIGTERM within its deadline when its database has gone away', async () => {
    let kerma: KermaChild | undefined;
    try {
      kerma = spawnKerma(['serve'], {
        DATABASE_URL: database!.url,
        KERMA_PATIENT_ID_KEY: 'shutdown-test-key-'.padEnd(40, 'x'),
        KERMA_DATA_DIR: dataDir,
        KERMA_HTTP_PORT: '0',
        KERMA_DICOM_PORT: '0',
        KERMA_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
        KERMA_DB_CONNECT_TIMEOUT_MS: '60000',
      });
      const [, url] = await kerma.waitFor(/"url":"([^"]+)"[^\n]*"msg":"kerma listening"/);
      expect((await fetch(`${url}/readyz`)).status).to.equal(200);
      await database!.stop();
      // A request in flight while the database is gone: it waits on a connection that cannot come.
      const inFlight = fetch(`${url}/readyz`).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await exitWithinDeadline(kerma);
      await inFlight;
    } finally {
      kerma?.kill();
    }
  });

  it('exits on SIGTERM within its deadline when its embedded database was stopped under it', async () => {
    let kerma: KermaChild | undefined;
    const embeddedDir = await mkdtemp(path.join(tmpdir(), 'kerma-shutdown-embedded-'));
    let postmaster: number | undefined;
    // As root the cluster lives apart from the data directory (app/db/embedded-layout.ts).
    const layout = embeddedLayout({ dataDir: embeddedDir, uid: userInfo().uid, binaries: await locateBinaries() });
    try {
      kerma = spawnKerma(['serve'], {
        KERMA_DATA_DIR: embeddedDir,
        KERMA_EMBEDDED_PG_PORT: String(await freePort()),
        KERMA_HTTP_PORT: '0',
        KERMA_DICOM_PORT: '0',
        KERMA_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
      });
      await kerma.waitFor(/"msg":"kerma listening"/, 120_000);
      postmaster = Number((await readFile(path.join(layout.clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      // Immediate shutdown of the server under Kerma (as when its data directory is removed).
      process.kill(postmaster, 'SIGQUIT');
      await kerma.waitFor(/idle database connection lost|57P01|terminat/i, 10_000).catch(() => undefined);
      await exitWithinDeadline(kerma);
    } finally {
      kerma?.kill();
      // Also when the test failed before it read the pid: an orphaned server must not outlive the run.
      postmaster ??= await readFile(path.join(layout.clusterDir, 'postmaster.pid'), 'utf8').then(
        (text) => Number(text.split('\n')[0]),
        () => undefined,
      );
      if (postmaster) {
        try {
          process.kill(postmaster, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await removeEmbeddedData(embeddedDir);
    }
  });
});
