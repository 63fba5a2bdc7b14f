import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import type pg from 'pg';
import { createPool, queryRunner, withTransaction } from '../../app/db/pool.ts';
import type { QueryRunner } from '../../core/index.ts';
import { createIngestService, createObjectStore } from '../../ingest/index.ts';
import { importFiles, type ImportOptions, type ImportProgress } from '../../ingest/transports/file-import.ts';
import { buildCtRdsr, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import { spawnTracked } from '../support/child-processes.ts';
import { recordingLogger, silentLogger } from '../support/logger.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

const EVENTS_PER_FILE = 2;

async function count(db: TestDatabase, table: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? -1;
}

/** The real ingest use case on `pool` (or on whatever pool `route()` names at each call). */
function ingestOn(route: () => pg.Pool, dataDir: string, logger = recordingLogger()) {
  const objects = createObjectStore(dataDir);
  const db: QueryRunner = { query: (q) => queryRunner(route()).query(q) };
  const service = createIngestService({
    transaction: (work) => withTransaction(route(), work),
    db,
    objects,
    logger,
    patientIdSecret: 'x'.repeat(32),
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: [], names: [] },
  });
  return { commitPrepared: service.commitPrepared, commitPreparedBatch: service.commitPreparedBatch, objects };
}

async function writeCtFiles(dir: string, n: number, prefix = 'ct'): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < n; i += 1)
    await writeFile(path.join(dir, `${prefix}-${i}.dcm`), buildCtRdsr({ events: EVENTS_PER_FILE }));
}

/** 15 CT and 5 projection RDSRs in nested folders, a truncated one, a text file, a hidden file, a dangling link. */
async function mixedTree(root: string): Promise<{ valid: number }> {
  await writeCtFiles(path.join(root, 'ct', '2024', '03'), 10);
  await writeCtFiles(path.join(root, 'ct', '2024', '04', 'deeper'), 5);
  await mkdir(path.join(root, 'rf'), { recursive: true });
  for (let i = 0; i < 5; i += 1)
    await writeFile(path.join(root, 'rf', `rf-${i}.dcm`), buildProjectionRdsr({ events: EVENTS_PER_FILE }));
  await writeFile(path.join(root, 'broken.dcm'), buildCtRdsr().subarray(0, 200));
  await writeFile(path.join(root, 'notes.txt'), 'not DICOM at all\n');
  await writeFile(path.join(root, 'ct', '.partial-copy.dcm'), buildCtRdsr());
  await symlink(path.join(root, 'gone.dcm'), path.join(root, 'dangling.dcm'));
  return { valid: 20 };
}

const temporary: string[] = [];
async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `kerma-import-${name}-`));
  temporary.push(dir);
  return dir;
}
after(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('bulk file import', () => {
  let db: TestDatabase;
  let root: string;
  let dataDir: string;
  let journalDir: string;
  let valid: number;
  const run = (extra: Partial<ImportOptions> = {}) =>
    importFiles({
      paths: [root],
      ingest: ingestOn(() => db.pool, dataDir),
      trustCode: 'DEFAULT',
      logger: silentLogger,
      workers: 2,
      journal: { directory: journalDir, scope: db.url },
      ...extra,
    });

  before(async () => {
    db = await freshDatabase();
    [root, dataDir, journalDir] = await Promise.all([tempDir('tree'), tempDir('data'), tempDir('journal')]);
    ({ valid } = await mixedTree(root));
  });
  after(async () => db.drop());

  it('imports a nested tree: dose reports stored, broken and non-DICOM files quarantined, unreadable ones failed', async () => {
    const progress: ImportProgress[] = [];
    const summary = await run({ onProgress: (p) => progress.push(p), progressIntervalMs: 20 });
    expect(summary).to.deep.include({
      files: valid + 3,
      stored: valid,
      duplicates: 0,
      quarantined: 2,
      failed: 1,
      skipped: 0,
      aborted: false,
    });
    expect(summary.failures[0]?.path).to.equal(path.join(root, 'dangling.dcm'));
    expect(summary.failures[0]?.reason).to.match(/ENOENT/);
    expect(await count(db, 'source_objects')).to.equal(valid);
    expect(await count(db, 'studies')).to.equal(valid);
    expect(await count(db, 'irradiation_events')).to.equal(valid * EVENTS_PER_FILE);
    expect(await count(db, 'quarantine')).to.equal(2);
    const { rows } = await db.pool.query<{ transport: string; sender: string }>(
      'SELECT DISTINCT transport, sender FROM source_objects',
    );
    expect(rows).to.deep.equal([{ transport: 'file', sender: `import:${summary.runId}` }]);
    expect(progress.at(-1)).to.deep.include({ done: valid + 3, total: valid + 3 });
  });

  it('run again: the journal skips every committed file without reading it, nothing changes', async () => {
    const summary = await run();
    // Only the unreadable file is tried again: failed files are never journaled.
    expect(summary).to.deep.include({
      files: valid + 3,
      stored: 0,
      duplicates: 0,
      quarantined: 0,
      failed: 1,
      skipped: valid + 2,
    });
    expect(await count(db, 'source_objects')).to.equal(valid);
  });

  it('without resume every file is read again and comes back as a duplicate', async () => {
    const summary = await run({ journal: { directory: journalDir, scope: db.url, resume: false } });
    expect(summary).to.deep.include({ stored: 0, duplicates: valid, quarantined: 2, failed: 1, skipped: 0 });
    expect(await count(db, 'source_objects')).to.equal(valid);
    expect(await count(db, 'irradiation_events')).to.equal(valid * EVENTS_PER_FILE);
    expect(await count(db, 'quarantine')).to.equal(2);
  });
});

/** Runs test/support/import-child.ts and SIGKILLs it once it acknowledged `killAfter` objects and journaled some. */
async function importThenKill(
  args: string[],
  journalDir: string,
  killAfter: number,
): Promise<{ acknowledged: string[]; signal: string | null }> {
  const child = spawnTracked(
    process.execPath,
    ['--import', 'tsx', path.resolve('test/support/import-child.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const acknowledged: string[] = [];
  const journaled = (): boolean => readdirSync(journalDir).some((f) => statSync(path.join(journalDir, f)).size > 0);
  const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line.startsWith('committed ')) acknowledged.push(line.slice('committed '.length));
      if (acknowledged.length >= killAfter && existsSync(journalDir) && journaled()) {
        child.kill('SIGKILL');
        break;
      }
    }
  } finally {
    // Whatever went wrong above, the child does not outlive the test.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return { acknowledged, signal: await exited };
}

describe('bulk file import: interruptions', () => {
  it('kill -9 part-way, then again: every acknowledged object is stored exactly once and the import resumes', async function () {
    this.timeout(180_000);
    const db = await freshDatabase();
    try {
      const [root, dataDir, journalDir] = await Promise.all([tempDir('kill'), tempDir('data'), tempDir('journal')]);
      // Enough files that batch commits (up to 250 objects each) are still going when the kill comes.
      const files = 800;
      for (let f = 0; f < 10; f += 1) await writeCtFiles(path.join(root, `folder-${f}`), files / 10);
      const { acknowledged, signal } = await importThenKill([db.url, dataDir, journalDir, root], journalDir, 60);
      expect(signal, 'the child was killed before it finished').to.equal('SIGKILL');
      const before = await count(db, 'source_objects');
      expect(before).to.be.within(acknowledged.length, files - 1);

      const summary = await importFiles({
        paths: [root],
        ingest: ingestOn(() => db.pool, dataDir),
        trustCode: 'DEFAULT',
        logger: silentLogger,
        journal: { directory: journalDir, scope: db.url },
      });
      expect(summary.skipped, 'files journaled by the killed run are not read again').to.be.greaterThan(0);
      expect(summary.skipped).to.be.at.most(before);
      expect(summary.stored + summary.duplicates + summary.skipped).to.equal(files);
      expect(summary.stored).to.equal(files - before);
      expect(summary.failed).to.equal(0);

      expect(await count(db, 'source_objects')).to.equal(files);
      expect(await count(db, 'studies')).to.equal(files);
      expect(await count(db, 'irradiation_events')).to.equal(files * EVENTS_PER_FILE);
      const stored = await db.pool.query<{ sop_instance_uid: string; storage_path: string; byte_size: number }>(
        'SELECT sop_instance_uid, storage_path, byte_size FROM source_objects WHERE sop_instance_uid = ANY($1::text[])',
        [acknowledged],
      );
      expect(stored.rowCount, 'every acknowledged object is in the database').to.equal(acknowledged.length);
      for (const row of stored.rows)
        expect(statSync(path.join(dataDir, row.storage_path)).size).to.equal(row.byte_size);
    } finally {
      await db.drop();
    }
  });

  it('database down: the import pauses, retries, and completes when it is back, losing nothing', async () => {
    const db = await freshDatabase();
    // A real refused connection: a port that was free a moment ago.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const down = createPool({
      url: `postgres://kerma@127.0.0.1:${port}/kerma`,
      max: 2,
      connectTimeoutMs: 1000,
      logger: silentLogger,
    });
    let target = down;
    try {
      const [root, dataDir] = await Promise.all([tempDir('down'), tempDir('data')]);
      await writeCtFiles(root, 30);
      const logger = recordingLogger();
      const paused: ImportProgress[] = [];
      const summary = await importFiles({
        paths: [root],
        ingest: ingestOn(() => target, dataDir),
        trustCode: 'DEFAULT',
        logger,
        retry: { initialDelayMs: 10, maxDelayMs: 50 },
        progressIntervalMs: 20,
        onProgress: (p) => {
          if (p.paused === undefined) return;
          paused.push(p);
          // The database "comes back" once the import has shown it is waiting and retried a few times.
          if (p.retries >= 5) target = db.pool;
        },
      });
      expect(paused.length).to.be.greaterThan(0);
      expect(paused[0]?.paused).to.match(/unavailable/);
      expect(summary).to.deep.include({ files: 30, stored: 30, failed: 0 });
      expect(summary.retries).to.be.at.least(5);
      expect(logger.records.map((r) => r.message)).to.include.members([
        'import paused: storage unavailable, retrying',
        'import resumed: storage available again',
      ]);
      expect(await count(db, 'source_objects')).to.equal(30);
      expect(await count(db, 'irradiation_events')).to.equal(30 * EVENTS_PER_FILE);
    } finally {
      await down.end();
      await db.drop();
    }
  });
});

describe('bulk file import: watching a drop folder', () => {
  it('imports files that appear, only once they are completely written', async function () {
    this.timeout(60_000);
    const db = await freshDatabase();
    try {
      const [root, dataDir] = await Promise.all([tempDir('watch'), tempDir('data')]);
      await writeCtFiles(root, 2, 'initial');
      const controller = new AbortController();
      let watching!: () => void;
      const started = new Promise<void>((resolve) => (watching = resolve));
      let stored = 0;
      const done = importFiles({
        paths: [root],
        ingest: ingestOn(() => db.pool, dataDir),
        trustCode: 'DEFAULT',
        logger: silentLogger,
        watch: { intervalMs: 100 },
        progressIntervalMs: 20,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.watching) watching();
          stored = p.stored;
          if (p.stored === 5 || p.quarantined > 0) controller.abort();
        },
      });
      await started;
      await writeCtFiles(path.join(root, 'new', 'sub'), 2, 'dropped');
      // A copy in progress: written in small pieces over several watch intervals.
      const slow = Buffer.from(buildCtRdsr({ events: EVENTS_PER_FILE }));
      const target = path.join(root, 'new', 'slow.dcm');
      for (let at = 0; at < slow.length; at += Math.ceil(slow.length / 40)) {
        await appendFile(target, slow.subarray(at, Math.min(slow.length, at + Math.ceil(slow.length / 40))));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      const summary = await done;
      expect(stored).to.equal(5);
      expect(summary).to.deep.include({ stored: 5, quarantined: 0, failed: 0, aborted: true });
      expect(await count(db, 'quarantine')).to.equal(0);
      expect(readFileSync(target).length).to.equal(slow.length);
    } finally {
      await db.drop();
    }
  });
});
