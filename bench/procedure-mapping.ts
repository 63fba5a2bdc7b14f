import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createRule, mapStudies, remapHistory, unmappedDescriptions } from '../analytics/index.ts';
import { migrate } from '../app/db/migrations.ts';
import { createPool, queryRunner, withTransaction } from '../app/db/pool.ts';
import { buildRegionModel, createExamStream, directLoad } from '../synthetic/index.ts';
import { silentLogger } from '../test/support/logger.ts';
import { benchServer } from './bench-server.ts';

/**
 * Procedure mapping on a synthetic region loaded with the direct loader (KERMA_BENCH_MAPPING_STUDIES,
 * default 200,000 studies): the re-map of all history after a rule change (chunked, set-based), the
 * same when every study changes, one statement over all studies when nothing changes, the mapping
 * of one ingest batch (250 studies), and the unmapped list. Prints JSON lines (median of RUNS where
 * a step is repeatable). DATABASE_URL names the server to use, else an embedded one on port 54372.
 */
const STUDIES = Number(process.env.KERMA_BENCH_MAPPING_STUDIES ?? '200000');
const RUNS = 5;
const PORT = 54372;

const line = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function ms(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number((Number(process.hrtime.bigint() - start) / 1e6).toFixed(1));
}

async function medianMs(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) times.push(await ms(work));
  return median(times);
}

async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kerma_bench_mapping_${Date.now().toString(36)}`;
  const run = async (url: string, work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    await Promise.resolve(work(client)).finally(() => client.end());
  };
  await run(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await run(url.toString(), (c) => migrate(c, { logger: silentLogger, timescale: 'auto' }));
  return {
    url: url.toString(),
    drop: () => run(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)),
  };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'kerma-bench-mapping-'));
  const { url, embedded } = await benchServer(work, PORT);
  const database = await freshDatabase(url);
  const pool = createPool({ url: database.url, max: 4, connectTimeoutMs: 5000, logger: silentLogger });
  const db = queryRunner(pool);
  const transaction = <T>(w: (runner: typeof db) => Promise<T>) => withTransaction(pool, w);
  try {
    const model = buildRegionModel({ seed: 12, trusts: 5, years: 1, exams: STUDIES, start: '2025-01-01' });
    const load = await directLoad(model, createExamStream(model), { pool, patientIdSecret: 'bench-secret-'.repeat(3) });
    await pool.query('ANALYZE');
    line({
      bench: 'mapping:load',
      studies: load.studies,
      events: load.events,
      seconds: Number(load.seconds.toFixed(1)),
    });

    const editor = { userId: 0, name: 'bench', trustCodes: [] };
    let result = await remapHistory(db, transaction);
    line({ bench: 'mapping:remap-history, nothing changes', ...result });

    await pool.query('UPDATE studies SET standard_procedure_code = NULL, procedure_rule_id = NULL');
    await pool.query('VACUUM ANALYZE studies');
    result = await remapHistory(db, transaction);
    line({ bench: 'mapping:remap-history, every study changes', ...result });

    await createRule(transaction, editor, {
      trustCode: null,
      modalities: ['DX'],
      procedureCode: null,
      description: { pattern: 'xr (knee|ankle)', match: 'regex' },
      protocol: null,
      bodyPart: null,
      standardProcedureCode: 'XR-FOOT',
      note: null,
      enabled: true,
    });
    await pool.query('UPDATE procedure_rules SET position = 0 WHERE created_by = $1', ['bench']);
    result = await remapHistory(db, transaction);
    line({ bench: 'mapping:remap-history, a new first rule takes two procedures', ...result });

    line({ bench: 'mapping:one statement over all studies', ms: await medianMs(() => mapStudies(db)) });

    const { rows } = await pool.query<{ id: number }>('SELECT study_id AS id FROM studies ORDER BY random() LIMIT 250');
    const batch = rows.map((r) => r.id);
    line({
      bench: 'mapping:one ingest batch (250 studies)',
      ms: await medianMs(() => mapStudies(db, { studyIds: batch })),
    });

    await pool.query(`UPDATE studies SET standard_procedure_code = NULL, procedure_rule_id = NULL
                      WHERE study_id % 20 = 0`);
    await pool.query('VACUUM ANALYZE studies');
    const { rows: trusts } = await pool.query<{ id: number }>(`SELECT trust_id AS id FROM trusts`);
    const filter = { trustIds: trusts.map((t) => t.id), limit: 100 };
    line({
      bench: 'mapping:unmapped list, all trusts (5% of studies unmatched)',
      ms: await medianMs(() => unmappedDescriptions(db, filter, 'Europe/London')),
    });
    line({ bench: 'mapping:server', server: embedded ? 'embedded PostgreSQL' : 'DATABASE_URL' });
  } finally {
    await pool.end();
    await database.drop();
    await embedded?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
