import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../app/db/migrations.ts';
import { createPool } from '../app/db/pool.ts';
import { buildRegionModel, createExamStream, directLoad, writeDicomRegion } from '../synthetic/index.ts';
import { silentLogger } from '../test/support/logger.ts';
import { benchServer } from './bench-server.ts';

/**
 * Generation rates of the synthetic region, one JSON line per mode:
 * - dicom: Part 10 dose reports written to a temporary folder (files/s, MB/s);
 * - direct: COPY into a fresh database (studies/s, events/s), with the projected time for 10 M studies.
 * KERMA_BENCH_GENERATE_DICOM (default 20,000 exams) and KERMA_BENCH_GENERATE_DIRECT (default 200,000)
 * set the sizes. DATABASE_URL names the server to use, else an embedded one on port 54369.
 */
const DICOM_EXAMS = Number(process.env.KERMA_BENCH_GENERATE_DICOM ?? '20000');
const DIRECT_EXAMS = Number(process.env.KERMA_BENCH_GENERATE_DIRECT ?? '200000');
const BENCH_PG_PORT = 54369;
const TEN_MILLION = 10_000_000;

function line(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

function benchDicom(work: string): void {
  const model = buildRegionModel({ seed: 1, exams: DICOM_EXAMS });
  const result = writeDicomRegion(model, path.join(work, 'dicom'));
  line({
    bench: 'generate:dicom',
    files: result.files,
    seconds: Number(result.seconds.toFixed(2)),
    filesPerS: Math.round(result.files / result.seconds),
    mbPerS: Number((result.bytes / 1e6 / result.seconds).toFixed(1)),
    meanKb: Number((result.bytes / result.files / 1024).toFixed(1)),
  });
}

async function freshDatabase(adminUrl: string): Promise<string> {
  const name = `kerma_bench_generate_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => undefined); // a lost connection fails the query under way instead of the process
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`).finally(() => admin.end());
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => undefined); // a lost connection fails the query under way instead of the process
  await client.connect();
  await migrate(client, { logger: silentLogger, timescale: 'auto' }).finally(() => client.end());
  return url.toString();
}

async function benchDirect(work: string): Promise<void> {
  const { url, embedded } = await benchServer(work, BENCH_PG_PORT);
  try {
    const pool = createPool({ url: await freshDatabase(url), max: 2, connectTimeoutMs: 5000, logger: silentLogger });
    const model = buildRegionModel({ seed: 1, exams: DIRECT_EXAMS });
    const result = await directLoad(model, createExamStream(model), {
      pool,
      patientIdSecret: 'bench-secret-'.repeat(3),
    }).finally(() => pool.end());
    const studiesPerS = result.studies / result.seconds;
    line({
      bench: 'generate:direct',
      studies: result.studies,
      events: result.events,
      patients: result.patients,
      seconds: Number(result.seconds.toFixed(1)),
      studiesPerS: Math.round(studiesPerS),
      eventsPerS: Math.round(result.events / result.seconds),
      projected10MMinutes: Number((TEN_MILLION / studiesPerS / 60).toFixed(1)),
    });
  } finally {
    await embedded?.stop();
  }
}

const work = await mkdtemp(path.join(tmpdir(), 'kerma-bench-generate-'));
try {
  benchDicom(work);
  await benchDirect(work);
} finally {
  await rm(work, { recursive: true, force: true });
}
