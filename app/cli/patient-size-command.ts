import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ValidationError } from '../../core/index.ts';
import {
  HEIGHT_UNITS,
  MATCH_KEYS,
  importPatientSizes,
  type HeightUnit,
  type MatchKey,
  type PatientSizeDependencies,
  type PatientSizeResult,
} from '../../analytics/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { migrateDatabase, openDatabase } from '../db/database.ts';
import { withTransaction } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { patientIdSecret } from '../secrets.ts';
import { processOutput, type Output } from './command-io.ts';

/**
 * `kerma patient-size import FILE.csv`: heights and weights from a RIS export, matched to studies by
 * accession number (hashed with the trust's code, as ingest stores it) or Study Instance UID. Only
 * missing sizes are filled; every row that is not applied is printed with its row number and reason.
 */
export interface PatientSizeServices {
  readonly deps: PatientSizeDependencies;
  close(): Promise<void>;
}

export interface PatientSizeCommandOptions {
  readonly match?: MatchKey;
  readonly keyColumn?: string;
  readonly heightColumn?: string;
  readonly weightColumn?: string;
  readonly trustColumn?: string;
  readonly heightUnit: HeightUnit;
  readonly header: boolean;
  readonly delimiter?: string;
  readonly trust: string;
  readonly dryRun?: boolean;
  readonly replaceImported?: boolean;
  readonly json?: boolean;
}

const cliActor = { actorKind: 'system', actorName: 'kerma-cli' } as const;

/** The database (migrated) and the identifier secret, as `serve` has them. */
export async function openPatientSizeServices(config: KermaConfig): Promise<PatientSizeServices> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, logger);
  try {
    await migrateDatabase(database, config, logger);
    return {
      deps: {
        transaction: (work) => withTransaction(database.pool, work),
        patientIdSecret: await patientIdSecret(config),
      },
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function summaryLine(r: PatientSizeResult): string {
  const verb = r.dryRun ? 'would fill' : 'filled';
  return (
    `${r.dryRun ? 'dry run: ' : ''}${plural(r.rows, 'row')}: ${r.applied} applied, ${r.unchanged} unchanged, ` +
    `${r.problems.length} not applied; ${verb} ${plural(r.heightsFilled, 'height')} and ` +
    `${plural(r.weightsFilled, 'weight')} (${plural(r.studyIds.length, 'study', 'studies')})\n`
  );
}

export async function runPatientSizeImport(
  file: string,
  options: PatientSizeCommandOptions,
  open: () => Promise<PatientSizeServices>,
  output: Output = processOutput,
): Promise<PatientSizeResult> {
  // A tab is hard to type as an argument: "\t" stands for it.
  const delimiter = options.delimiter === '\\t' ? '\t' : options.delimiter;
  if (delimiter !== undefined && [...delimiter].length !== 1) {
    throw new ValidationError('--delimiter must be one character');
  }
  // The path is the operator's own; it is not repeated in messages that might end up in a log.
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new ValidationError(`cannot read the CSV file (${error.code ?? error.message})`);
  });
  const services = await open();
  try {
    const result = await importPatientSizes(services.deps, {
      file: bytes,
      mapping: {
        match: options.match,
        keyColumn: options.keyColumn,
        heightColumn: options.heightColumn,
        weightColumn: options.weightColumn,
        trustColumn: options.trustColumn,
        heightUnit: options.heightUnit,
        header: options.header,
        delimiter,
      },
      trustCode: options.trust,
      scope: 'all',
      dryRun: options.dryRun ?? false,
      replaceImported: options.replaceImported ?? false,
      actor: cliActor,
    });
    if (options.json) {
      // Row outcomes are the page's preview; the summary names every row not applied.
      output.out(`${JSON.stringify({ ...result, outcomes: undefined })}\n`);
    } else {
      for (const p of result.problems) output.out(`row ${p.row}: ${p.reason}\n`);
      output.out(summaryLine(result));
    }
    return result;
  } finally {
    await services.close();
  }
}

export function registerPatientSizeCommand(
  program: Command,
  open: () => Promise<PatientSizeServices>,
  output: Output = processOutput,
): void {
  const size = program.command('patient-size').description('patient heights and weights from the RIS');
  size
    .command('import')
    .description(
      'fill missing patient heights and weights from a CSV file (values from the dose objects are never overwritten)',
    )
    .argument('<file>', 'CSV file, one row per study')
    .addOption(
      new Option('--match <key>', 'what the key column holds (default: from its header, else accession)').choices(
        MATCH_KEYS,
      ),
    )
    .option('--key-column <column>', 'column of the accession number or Study Instance UID (header name or number)')
    .option('--height-column <column>', 'column of the height (header name or number; "none": no height)')
    .option('--weight-column <column>', 'column of the weight in kg (header name or number; "none": no weight)')
    .option('--trust-column <column>', "column of each row's trust code (rows left empty take --trust)")
    .addOption(new Option('--height-unit <unit>', 'unit of the heights').choices(HEIGHT_UNITS).default('cm'))
    .option('--no-header', 'the first row is data, not column names (name columns by number)')
    .option('--delimiter <char>', 'field separator (default: guessed from the first line; "\\t" for tab)')
    .option('--trust <code>', 'trust whose accession numbers these are', 'DEFAULT')
    .option('--dry-run', 'report what would change, change nothing')
    .option('--replace-imported', 'replace sizes an earlier import wrote (never those from the dose objects)')
    .option('--json', 'print the summary as one JSON object')
    .action(async (file: string, options: PatientSizeCommandOptions) => {
      await runPatientSizeImport(file, options, open, output);
    });
}
