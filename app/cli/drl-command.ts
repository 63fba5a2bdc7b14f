import type { Command } from 'commander';
import { recordAudit } from '../../access/index.ts';
import {
  computeLocalDrls,
  DEFAULT_MIN_SAMPLE,
  DEFAULT_WEIGHT_BAND,
  localDrlReport,
  recomputeDoseMetrics,
  type WeightBand,
} from '../../analytics/index.ts';
import { ValidationError, type QueryRunner } from '../../core/index.ts';
import { processOutput, type Output } from './command-io.ts';

// `kerma drl compute`: the local DRLs of the consortium over a period, stored as a run (the alerts
// issue schedules it nightly). `kerma drl metrics`: recompute every study's dose metrics and DRL
// comparisons (after a direct load, or when a reference edition changed).

export type OpenDrlServices = () => Promise<{ db: QueryRunner; timeZone: string; close(): Promise<void> }>;

export interface DrlComputeOptions {
  readonly from?: string;
  readonly to?: string;
  readonly minSample?: string;
  readonly weightBand?: string;
  readonly json?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDay(text: string): boolean {
  return DATE.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

export function parseWeightBand(text: string | undefined): WeightBand {
  if (text === undefined) return DEFAULT_WEIGHT_BAND;
  if (text === 'none') return { minKg: null, maxKg: null };
  const match = /^(\d{1,3}(?:\.\d+)?)-(\d{1,3}(?:\.\d+)?)$/.exec(text);
  if (!match || Number(match[1]) > Number(match[2]))
    throw new ValidationError(`--weight-band must be MIN-MAX in kg (e.g. 50-90) or "none", not "${text}"`);
  return { minKg: Number(match[1]), maxKg: Number(match[2]) };
}

function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
}

/** Without --from/--to: the twelve months ending yesterday (a nightly run counts whole days). */
export function periodOf(options: DrlComputeOptions, timeZone: string): { from: string; to: string } {
  const dayBefore = (day: string, n: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
  const to = options.to ?? dayBefore(todayIn(timeZone), 1);
  const from = options.from ?? dayBefore(to, 364);
  for (const [name, day] of [
    ['--from', from],
    ['--to', to],
  ] as const)
    if (!isDay(day)) throw new ValidationError(`${name} must be a date (YYYY-MM-DD), not "${day}"`);
  if (from > to) throw new ValidationError('--from must not be after --to');
  return { from, to };
}

export async function runDrlCompute(
  db: QueryRunner,
  timeZone: string,
  options: DrlComputeOptions,
  output: Output = processOutput,
): Promise<void> {
  const period = periodOf(options, timeZone);
  const minSample = options.minSample === undefined ? DEFAULT_MIN_SAMPLE : Number(options.minSample);
  if (!Number.isSafeInteger(minSample) || minSample < 1)
    throw new ValidationError(`--min-sample must be a whole number of at least 1, not "${options.minSample}"`);
  const weightBand = parseWeightBand(options.weightBand);
  const summary = await computeLocalDrls(db, { ...period, timeZone, minSample, weightBand, computedBy: 'kerma-cli' });
  await recordAudit(db, {
    actorKind: 'system',
    actorName: 'kerma-cli',
    action: 'analytics.local-drls.compute',
    detail: { ...summary, ...period, minSample, weightBand },
  });
  if (options.json) {
    output.out(`${JSON.stringify({ ...summary, ...period, minSample, weightBand })}\n`);
    return;
  }
  const report = await localDrlReport(db, { trustIds: [], runId: summary.runId });
  output.out(
    `Local DRL run ${summary.runId}: ${period.from} to ${period.to}, typical patients ` +
      `${weightBand.minKg === null ? 'of any weight' : `${weightBand.minKg}-${weightBand.maxKg} kg or unknown weight`}, ` +
      `minimum sample ${minSample}; ${summary.roomMedians} room medians, ${summary.localDrls} local DRLs.\n`,
  );
  for (const l of report?.localDrls ?? []) {
    const local = l.localDrl === null ? 'no room at the minimum sample' : `${l.localDrl.toFixed(1)} ${l.unit}`;
    const national = l.nationalDrl ? `national ${l.nationalDrl.value} ${l.unit}` : 'no national DRL';
    output.out(`  ${l.name} · ${l.quantity}: ${local} (${l.rooms} rooms; ${national})\n`);
  }
}

export function registerDrlCommands(program: Command, open: OpenDrlServices, output = processOutput): void {
  const drl = program.command('drl').description('diagnostic reference levels: local DRLs and per-exam dose metrics');
  drl
    .command('compute')
    .description('compute and store the local DRLs (room medians, consortium third quartile) over a period')
    .option('--from <date>', 'first day (YYYY-MM-DD, KERMA_TIMEZONE); default: a year before --to')
    .option('--to <date>', 'last day (inclusive); default: yesterday')
    .option('--min-sample <n>', `values a room needs for its median to count (default ${DEFAULT_MIN_SAMPLE})`)
    .option('--weight-band <min-max>', 'typical patients by weight in kg where known, or "none" (default 50-90)')
    .option('--json', 'print the run summary as one JSON line')
    .action(async (options: DrlComputeOptions) => {
      const services = await open();
      try {
        await runDrlCompute(services.db, services.timeZone, options, output);
      } finally {
        await services.close();
      }
    });
  drl
    .command('metrics')
    .description('recompute the dose metrics and DRL comparisons of every study (or of --study IDs)')
    .option('--study <id...>', 'only these study ids')
    .action(async (options: { study?: string[] }) => {
      const studyIds = options.study?.map(Number);
      if (studyIds?.some((id) => !Number.isSafeInteger(id) || id < 1))
        throw new ValidationError('--study takes study ids (whole numbers)');
      const services = await open();
      try {
        const started = Date.now();
        const summary = await recomputeDoseMetrics(services.db, studyIds ? { studyIds } : {});
        output.out(`${JSON.stringify({ ...summary, seconds: (Date.now() - started) / 1000 })}\n`);
      } finally {
        await services.close();
      }
    });
}
