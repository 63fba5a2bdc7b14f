import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  computeLocalDrls,
  DEFAULT_MIN_SAMPLE,
  DEFAULT_WEIGHT_BAND,
  drlCompliance,
  recomputeDoseMetrics,
} from '../analytics/index.ts';
import { migrate } from '../app/db/migrations.ts';
import { createPool } from '../app/db/pool.ts';
import { buildRegionModel, createExamStream, directLoad } from '../synthetic/index.ts';
import { CT_PROCEDURES } from '../synthetic/catalogue.ts';
import { loadReferenceFixture } from '../test/analytics/support/reference-fixture.ts';
import { silentLogger } from '../test/support/logger.ts';
import { benchServer } from './bench-server.ts';

/**
 * Dose metrics and DRL analytics on a directly loaded synthetic region (KERMA_BENCH_DRL_STUDIES,
 * default 200,000 studies over two years, five trusts): the recompute of every study, a batch of
 * 1,000 (what the ingest hook sends at most per quarter second in a bulk import), the live DRL
 * compliance of the last year over every trust, and a local DRL run. The region's CT studies are
 * mapped to standard procedures by their description (the procedure mapping's job, done here by a
 * plain UPDATE) and the reference rows are the test fixture's (shared/reference-data figures).
 * Prints JSON lines. DATABASE_URL names the server, else an embedded one on port 54373.
 */
const STUDIES = Number(process.env.KERMA_BENCH_DRL_STUDIES ?? '200000');
const RUNS = 5;
const PORT = 54373;

const line = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function seconds<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [Number((Number(process.hrtime.bigint() - start) / 1e9).toFixed(2)), result];
}

async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kerma_bench_drl_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await migrate(client, { logger: silentLogger, timescale: 'auto' }).finally(() => client.end());
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      await again
        .query(`DROP DATABASE IF EXISTS ${again.escapeIdentifier(name)} WITH (FORCE)`)
        .finally(() => again.end());
    },
  };
}

/** DICOM Body Part Examined terms for the synthetic catalogue's body regions. */
const BODY_PART: Record<string, string> = {
  head: 'HEAD',
  spine: 'CSPINE',
  chest: 'CHEST',
  'chest-abdomen-pelvis': 'CHESTABDPELVIS',
  'abdomen-pelvis': 'ABDOMENPELVIS',
  'urinary-tract': 'KUB',
  heart: 'HEART',
};

async function mapCtStudies(pool: pg.Pool): Promise<number> {
  for (const p of CT_PROCEDURES) {
    const category = `ct-${p.ndrlId.replace(/^uk-adult-ct-(ct-)?/, '')}`;
    await pool.query(
      `INSERT INTO standard_procedures (code, name, modality, body_region, drl_category) VALUES ($1, $2, 'CT', $3, $4)`,
      [p.id.toUpperCase(), p.name, BODY_PART[p.bodyRegion] ?? 'CHEST', category],
    );
  }
  const { rowCount } = await pool.query(
    `UPDATE studies s SET standard_procedure_code = sp.code FROM standard_procedures sp
     WHERE s.modality = 'CT' AND s.study_description = sp.name`,
  );
  return rowCount ?? 0;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'kerma-bench-drl-'));
  const { url, embedded } = await benchServer(work, PORT);
  const database = await freshDatabase(url);
  const pool = createPool({ url: database.url, max: 4, connectTimeoutMs: 5000, logger: silentLogger });
  try {
    const model = buildRegionModel({ seed: 11, trusts: 5, years: 2, exams: STUDIES, start: '2024-01-01' });
    const load = await directLoad(model, createExamStream(model), { pool, patientIdSecret: 'bench-secret-'.repeat(3) });
    await loadReferenceFixture(pool);
    const mapped = await mapCtStudies(pool);
    await pool.query('ANALYZE');
    line({ bench: 'drl:load', studies: load.studies, events: load.events, mappedCt: mapped });
    if (process.env.KERMA_BENCH_DRL_LOAD_ONLY === '1') return;

    const [all, summary] = await seconds(() => recomputeDoseMetrics(pool));
    line({
      bench: 'drl:recompute-all',
      studies: summary.studies,
      comparisons: summary.comparisons,
      seconds: all,
      studiesPerSecond: Math.round(summary.studies / all),
    });
    const { rows: sample } = await pool.query<{ id: string }>(
      'SELECT study_id AS id FROM studies ORDER BY random() LIMIT 1000',
    );
    const batch: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      batch.push((await seconds(() => recomputeDoseMetrics(pool, { studyIds: sample.map((r) => Number(r.id)) })))[0]);
    }
    line({ bench: 'drl:recompute-1000', medianSeconds: median(batch) });
    await pool.query('ANALYZE study_dose_metrics');

    const { rows: trusts } = await pool.query<{ id: string }>('SELECT trust_id AS id FROM trusts');
    const trustIds = trusts.map((t) => Number(t.id));
    const compliance: number[] = [];
    let rooms = 0;
    for (let i = 0; i < RUNS; i += 1) {
      const [s, result] = await seconds(() =>
        drlCompliance(pool, {
          trustIds,
          conditions: (p) => [
            `s.study_datetime >= ${p.add('2025-01-01T00:00:00Z')}::timestamptz`,
            `s.study_datetime < ${p.add('2026-01-01T00:00:00Z')}::timestamptz`,
          ],
          weightBand: DEFAULT_WEIGHT_BAND,
          minSample: DEFAULT_MIN_SAMPLE,
        }),
      );
      compliance.push(s);
      rooms = result.reduce((n, p) => n + p.quantities.reduce((m, q) => m + q.rooms.length, 0), 0);
    }
    line({ bench: 'drl:compliance-year-all-trusts', medianSeconds: median(compliance), roomRows: rooms });
    const [run, drls] = await seconds(() =>
      computeLocalDrls(pool, {
        from: '2025-01-01',
        to: '2025-12-31',
        timeZone: 'Europe/London',
        minSample: DEFAULT_MIN_SAMPLE,
        weightBand: DEFAULT_WEIGHT_BAND,
        computedBy: 'bench',
      }),
    );
    line({ bench: 'drl:local-drl-run-year', seconds: run, roomMedians: drls.roomMedians, localDrls: drls.localDrls });
  } finally {
    await pool.end();
    // KERMA_BENCH_DRL_KEEP=1 keeps the loaded database for a look at the plans (its URL is printed).
    if (process.env.KERMA_BENCH_DRL_KEEP === '1') line({ bench: 'drl:kept', url: database.url });
    else await database.drop();
    await embedded?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
