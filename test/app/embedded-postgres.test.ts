import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { UnavailableError } from '../../core/index.ts';
import { embeddedLayout, locateBinaries } from '../../app/db/embedded-layout.ts';
import { startEmbeddedPostgres } from '../../app/db/embedded-postgres.ts';
import { inspectPostmasterLock, isProcessAlive, stopOrphanPostmaster } from '../../app/db/postmaster-lock.ts';
import { spawnTracked, stopChild } from '../support/child-processes.ts';
import { recordingLogger } from '../support/logger.ts';

// Ports apart from the dev (54329) and test (54339) servers.
const PORT = Number(process.env.KERMA_TEST_EMBEDDED_PORT ?? '54349');

/** Temporary homes of the clusters these tests make (as root the cluster is kept apart, in runtimeRoot). */
const scratch: string[] = [];
let runtimeRoot = '';

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kerma-embedded-'));
  scratch.push(dir);
  return path.join(dir, 'data');
}

async function clusterDirOf(dataDir: string): Promise<string> {
  return embeddedLayout({ dataDir, uid: userInfo().uid, binaries: await locateBinaries(), runtimeRoot }).clusterDir;
}

/** The state letter of /proc/PID/stat (R, S, Z…), or undefined when there is no such process. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnTracked(
    process.execPath,
    ['--import', 'tsx', 'test/support/embedded-child.ts', dataDir, String(PORT), runtimeRoot],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /ready (\S+)/.exec(output);
    if (match) return { child, url: match[1]! };
  }
  throw new Error(`embedded child exited without starting: ${output}`);
}

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', function () {
  // initdb plus start takes a few seconds on a 2-core machine.
  this.timeout(120_000);

  before(() => {
    const parent = mkdtempSync(path.join(tmpdir(), 'kerma-runtime-'));
    chmodSync(parent, 0o755);
    scratch.push(parent);
    runtimeRoot = path.join(parent, 'var-lib-kerma');
  });

  // Whatever a test did, no server it started (or orphaned on purpose) outlives it.
  afterEach(async () => {
    for (const dir of scratch.slice(1)) {
      const lock = await inspectPostmasterLock(await clusterDirOf(path.join(dir, 'data')));
      if (lock.state === 'running') await stopOrphanPostmaster(lock.pid);
    }
  });

  after(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('stops the server orphaned by a SIGKILLed Kerma and starts cleanly', async () => {
    const dataDir = tempDataDir();
    const { child } = await startChild(dataDir);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const logger = recordingLogger();
    const database = await startEmbeddedPostgres({ dataDir, port: PORT, logger, runtimeRoot });
    try {
      expect(logger.records.map((r) => r.message)).to.include(
        'stopping orphaned embedded PostgreSQL left by a killed Kerma process',
      );
      expect(await selectOne(database.url)).to.equal(1);
    } finally {
      await database.stop();
    }
  });

  it('attaches to a server whose Kerma process is still running instead of killing it', async () => {
    const dataDir = tempDataDir();
    const { child, url } = await startChild(dataDir);
    try {
      const logger = recordingLogger();
      const attached = await startEmbeddedPostgres({ dataDir, port: PORT, logger, runtimeRoot });
      expect(logger.records.map((r) => r.message)).to.include(
        'attaching to embedded PostgreSQL started by another Kerma process',
      );
      await attached.stop();
      expect(await selectOne(url), 'the owner keeps its server').to.equal(1);
    } finally {
      await stopChild(child);
    }
  });

  it('removes a stale postmaster.pid whose PID now belongs to another process', async () => {
    const dataDir = tempDataDir();
    const first = await startEmbeddedPostgres({ dataDir, port: PORT, logger: recordingLogger(), runtimeRoot });
    await first.stop();
    // Our own PID is alive but is no postmaster: exactly the PID-reuse case after a crash.
    const clusterDir = await clusterDirOf(dataDir);
    writeFileSync(path.join(clusterDir, 'postmaster.pid'), `${process.pid}\n${clusterDir}\n0\n${PORT}\n`);
    const logger = recordingLogger();
    const database = await startEmbeddedPostgres({ dataDir, port: PORT, logger, runtimeRoot });
    try {
      expect(logger.records.map((r) => r.message)).to.include(
        'removing stale postmaster.pid left by a killed PostgreSQL',
      );
      expect(await selectOne(database.url)).to.equal(1);
    } finally {
      await database.stop();
    }
  });

  it("fails with PostgreSQL's own reason, not an empty error, when it cannot start", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(PORT, '127.0.0.1', resolve));
    try {
      let message = '';
      await startEmbeddedPostgres({ dataDir: tempDataDir(), port: PORT, logger: recordingLogger(), runtimeRoot }).catch(
        (e: Error) => (message = e.message),
      );
      expect(message).to.include('Embedded PostgreSQL start failed');
      expect(message).to.match(/could not (bind|create)|Address already in use/i);
    } finally {
      blocker.close();
    }
  });

  it('refuses, naming the fix, a cluster made by another PostgreSQL major version', async () => {
    const dataDir = tempDataDir();
    const clusterDir = await clusterDirOf(dataDir);
    mkdirSync(clusterDir, { recursive: true });
    writeFileSync(path.join(clusterDir, 'PG_VERSION'), '15\n');
    const error = await startEmbeddedPostgres({ dataDir, port: PORT, logger: recordingLogger(), runtimeRoot }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UnavailableError);
    expect((error as Error).message).to.match(/made by PostgreSQL 15; this Kerma embeds PostgreSQL 17/);
    expect((error as Error).message).to.include(`remove ${clusterDir}`);
  });

  it('replaces a scratch cluster of another version when asked (the test server)', async () => {
    const dataDir = tempDataDir();
    const clusterDir = await clusterDirOf(dataDir);
    mkdirSync(clusterDir, { recursive: true });
    writeFileSync(path.join(clusterDir, 'PG_VERSION'), '15\n');
    const options = { dataDir, port: PORT, logger: recordingLogger(), runtimeRoot, replaceOtherVersion: true };
    const database = await startEmbeddedPostgres(options);
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      await client.end();
      expect(Math.floor(Number(rows[0]!.v) / 10000)).to.equal(17);
    } finally {
      await database.stop();
    }
  });

  describe('as root', () => {
    before(function () {
      if (userInfo().uid !== 0) this.skip(); // only root hands the server to the postgres OS user
    });

    it('serves from a checkout only root can read (0700): cluster and binaries where postgres can reach them', async () => {
      const dataDir = tempDataDir(); // inside a mkdtemp directory: mode 0700, owned by root
      const database = await startEmbeddedPostgres({ dataDir, port: PORT, logger: recordingLogger(), runtimeRoot });
      try {
        expect(await selectOne(database.url)).to.equal(1);
        const clusterDir = await clusterDirOf(dataDir);
        expect(clusterDir.startsWith(`${runtimeRoot}/`)).to.equal(true);
        const owner = spawnSync('stat', ['-c', '%U %a', path.dirname(clusterDir)], { encoding: 'utf8' }).stdout.trim();
        expect(owner).to.equal('postgres 700');
      } finally {
        await database.stop();
      }
    });

    it('turns a refused spawn into an UnavailableError naming the fix, never an unhandled error event', async () => {
      const hidden = mkdtempSync(path.join(tmpdir(), 'kerma-hidden-')); // 0700: postgres cannot enter it
      scratch.push(hidden);
      const error = await startEmbeddedPostgres({
        dataDir: tempDataDir(),
        port: PORT,
        logger: recordingLogger(),
        runtimeRoot: path.join(hidden, 'var-lib-kerma'),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(UnavailableError);
      expect((error as Error).message).to.match(
        /could not start initdb \(EACCES\).*postgres OS user.*\/var\/lib\/kerma/s,
      );
    });
  });

  it('places the cluster in the data directory, or apart from it as root', async () => {
    const binaries = await locateBinaries();
    expect(binaries.major).to.equal('17');
    const user = embeddedLayout({ dataDir: '/home/a/kerma/.kerma', uid: 1000, binaries });
    expect(user).to.deep.equal({
      binDir: path.join(binaries.nativeDir, 'bin'),
      clusterDir: '/home/a/kerma/.kerma/pg',
      runtimeDir: undefined,
      runAsPostgresUser: false,
    });
    const root = embeddedLayout({ dataDir: '/root/kerma/.kerma', uid: 0, binaries });
    expect(root.binDir).to.equal(`/var/lib/kerma/postgresql-${binaries.version}/bin`);
    expect(root.clusterDir).to.match(/^\/var\/lib\/kerma\/[0-9a-f]{16}\/pg$/);
    expect(root.runAsPostgresUser).to.equal(true);
    const other = embeddedLayout({ dataDir: '/root/other/.kerma', uid: 0, binaries });
    expect(other.clusterDir, 'one cluster per data directory').not.to.equal(root.clusterDir);
  });

  it('detects zombie and dead processes as not alive', async () => {
    // A zombie: `sh` starts a child that exits at once, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number.parseInt(String(line), 10);
      const deadline = Date.now() + 5000;
      while (processState(zombie) !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(processState(zombie), 'the child is a zombie').to.equal('Z');
      expect(isProcessAlive(zombie)).to.equal(false);
      expect(isProcessAlive(parent.pid!)).to.equal(true);
      expect(isProcessAlive(process.pid)).to.equal(true);
      expect(isProcessAlive(2 ** 22 + 12345)).to.equal(false);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) {
        const exited = once(parent, 'exit');
        parent.kill('SIGKILL');
        await exited;
      }
    }
  });
});
