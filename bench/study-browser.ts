import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../app/db/migrations.ts';
import { createPool } from '../app/db/pool.ts';
import {
  createStudyBrowser,
  parseStudyQuery,
  type StudyBrowserActor,
  type StudyQuery,
} from '../dashboard/studies/index.ts';
import { buildRegionModel, createExamStream, directLoad } from '../synthetic/index.ts';
import { silentLogger } from '../test/support/logger.ts';
import { benchServer } from './bench-server.ts';

/**
 * The study browser on a synthetic region loaded with the direct loader: page 1, a deep keyset page
 * (page KERMA_BENCH_STUDIES_DEEP_PAGE, default 1,000, at 50 rows a page) and filtered queries, each
 * the median of several runs of the whole service call (rows, capped count and audit row). Prints
 * JSON lines, then the plan of each query's row fetch (EXPLAIN ANALYZE, first lines).
 * KERMA_BENCH_STUDIES sets the region's size (default 200,000 studies over two years, five trusts).
 * DATABASE_URL names the server to use, else an embedded one on port 54371.
 */
const STUDIES = Number(process.env.KERMA_BENCH_STUDIES ?? '200000');
const DEEP_PAGE = Number(process.env.KERMA_BENCH_STUDIES_DEEP_PAGE ?? '1000');
const RUNS = 7;
const PORT = 54371;

const line = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);

async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kerma_bench_studies_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => undefined); // a lost connection fails the query under way instead of the process
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => undefined);
  await client.connect();
  await migrate(client, { logger: silentLogger, timescale: 'auto' }).finally(() => client.end());
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: adminUrl });
      again.on('error', () => undefined);
      await again.connect();
      await again
        .query(`DROP DATABASE IF EXISTS ${again.escapeIdentifier(name)} WITH (FORCE)`)
        .finally(() => again.end());
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return Number(median(times).toFixed(2));
}

/** The cursor of the row that ends page `n - 1`, found once with OFFSET (setup, not measured). */
async function deepCursor(pool: pg.Pool, trustIds: number[], page: number, limit: number) {
  const { rows } = await pool.query<{ v: string; id: string }>(
    `SELECT (extract(epoch FROM study_datetime) * 1000000)::bigint AS v, study_id AS id FROM studies
     WHERE trust_id = ANY($1::bigint[]) AND study_datetime IS NOT NULL
     ORDER BY study_datetime DESC, study_id DESC OFFSET $2 LIMIT 1`,
    [trustIds, (page - 1) * limit - 1],
  );
  const row = rows[0];
  return row ? { value: Number(row.v), studyId: Number(row.id) } : undefined;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'kerma-bench-studies-'));
  const { url, embedded } = await benchServer(work, PORT);
  const database = await freshDatabase(url);
  const pool = createPool({ url: database.url, max: 4, connectTimeoutMs: 5000, logger: silentLogger });
  try {
    const model = buildRegionModel({ seed: 10, trusts: 5, years: 2, exams: STUDIES, start: '2024-01-01' });
    const load = await directLoad(model, createExamStream(model), { pool, patientIdSecret: 'bench-secret-'.repeat(3) });
    await pool.query('ANALYZE');
    line({
      bench: 'studies:load',
      studies: load.studies,
      events: load.events,
      seconds: Number(load.seconds.toFixed(1)),
    });

    const { rows: trusts } = await pool.query<{ trust_id: string }>(
      `SELECT trust_id FROM trusts WHERE code <> 'DEFAULT' ORDER BY trust_id`,
    );
    const all = trusts.map((t) => Number(t.trust_id));
    const oneTrust: StudyBrowserActor = { trustIds: all.slice(0, 1) };
    const twoTrusts: StudyBrowserActor = { trustIds: all.slice(0, 2) };
    const browser = createStudyBrowser({ db: pool, timeZone: 'Europe/London' });
    const audit = { actorKind: 'system', actorName: 'bench' } as const;
    const deep = await deepCursor(pool, twoTrusts.trustIds as number[], DEEP_PAGE, 50);

    const cases: Array<[string, StudyBrowserActor, StudyQuery]> = [
      ['page 1, newest first, two trusts', twoTrusts, parseStudyQuery({})],
      [`page ${DEEP_PAGE}, newest first, two trusts`, twoTrusts, { ...parseStudyQuery({}), after: deep }],
      ['page 1, highest DLP first, one trust', oneTrust, parseStudyQuery({ sort: 'dlp' })],
      [
        'CT, DLP 500-2000 mGy·cm, one quarter, by DLP',
        twoTrusts,
        parseStudyQuery({
          modality: 'CT',
          dlpMin: '500',
          dlpMax: '2000',
          from: '2025-01-01',
          to: '2025-03-31',
          sort: 'dlp',
        }),
      ],
      [
        'description contains "chest", females 60-80 y',
        twoTrusts,
        parseStudyQuery({ description: 'chest', sex: 'F', ageMin: '60', ageMax: '80' }),
      ],
      [
        'protocol contains "head", max CTDIvol >= 40 mGy',
        twoTrusts,
        parseStudyQuery({ protocol: 'head', ctdiMin: '40' }),
      ],
    ];
    for (const [name, actor, query] of cases) {
      let rows = 0;
      let count = '';
      const ms = await timed(async () => {
        const page = await browser.browse(actor, query, audit);
        rows = page.rows.length;
        count = page.count.exact ? String(page.count.count) : `>${page.count.count}`;
      });
      line({ bench: 'studies:browse', query: name, medianMs: ms, rows, count, studiesInRegion: load.studies });
    }
    await explainPlans(pool, twoTrusts, deep);
  } finally {
    await pool.end();
    await database.drop();
    await embedded?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** The row fetch of page 1 and of the deep page, as the store runs it, with the plan's top lines. */
async function explainPlans(
  pool: pg.Pool,
  actor: StudyBrowserActor,
  deep: { value: number; studyId: number } | undefined,
) {
  const statements: Array<[string, string, unknown[]]> = [
    [
      'page 1',
      `SELECT s.study_id FROM studies s WHERE s.trust_id = ANY($1::bigint[]) AND s.study_datetime IS NOT NULL
       ORDER BY s.study_datetime desc, s.study_id desc LIMIT 51`,
      [actor.trustIds],
    ],
    [
      'deep page',
      `SELECT s.study_id FROM studies s WHERE s.trust_id = ANY($1::bigint[]) AND s.study_datetime IS NOT NULL
       AND (s.study_datetime, s.study_id) < ((timestamptz 'epoch' + $2::bigint * interval '1 microsecond'), $3::bigint)
       ORDER BY s.study_datetime desc, s.study_id desc LIMIT 51`,
      [actor.trustIds, deep?.value ?? 0, deep?.studyId ?? 0],
    ],
  ];
  for (const [name, text, values] of statements) {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${text}`,
      values,
    );
    line({ bench: 'studies:plan', query: name, plan: rows.map((r) => r['QUERY PLAN'].trim()).slice(0, 6) });
  }
}

await main();
