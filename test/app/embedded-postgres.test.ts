import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../app/db/embedded-postgres.ts';
import { isProcessAlive } from '../../app/db/postmaster-lock.ts';
import { recordingLogger } from '../support/logger.ts';

// Ports apart from the dev (54329) and test (54339) servers.
const PORT = 54349;

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kerma-embedded-'));
  chmodSync(dir, 0o755);
  return path.join(dir, 'data');
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/embedded-child.ts', dataDir, String(PORT)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout) {
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

  it('stops the server orphaned by a SIGKILLed Kerma and starts cleanly', async () => {
    const dataDir = tempDataDir();
    const { child } = await startChild(dataDir);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const logger = recordingLogger();
    const database = await startEmbeddedPostgres({ dataDir, port: PORT, logger });
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
      const attached = await startEmbeddedPostgres({ dataDir, port: PORT, logger });
      expect(logger.records.map((r) => r.message)).to.include(
        'attaching to embedded PostgreSQL started by another Kerma process',
      );
      await attached.stop();
      expect(await selectOne(url), 'the owner keeps its server').to.equal(1);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('removes a stale postmaster.pid whose PID now belongs to another process', async () => {
    const dataDir = tempDataDir();
    const first = await startEmbeddedPostgres({ dataDir, port: PORT, logger: recordingLogger() });
    await first.stop();
    // Our own PID is alive but is no postmaster: exactly the PID-reuse case after a crash.
    writeFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), `${process.pid}\n${dataDir}/pg\n0\n${PORT}\n`);
    const logger = recordingLogger();
    const database = await startEmbeddedPostgres({ dataDir, port: PORT, logger });
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
      await startEmbeddedPostgres({ dataDir: tempDataDir(), port: PORT, logger: recordingLogger() }).catch(
        (e: Error) => (message = e.message),
      );
      expect(message).to.include('Embedded PostgreSQL start failed');
      expect(message).to.match(/could not (bind|create)|Address already in use/i);
    } finally {
      blocker.close();
    }
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
