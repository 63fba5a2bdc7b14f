import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ValidationError, type QueryRunner, type TransactionRunner } from '../../core/index.ts';
import {
  importReferenceSet,
  listReferenceSets,
  parseReferenceSetCsv,
  parseReferenceSetJson,
  seedBuiltinReferenceSets,
} from '../../reference-levels/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { migrateDatabase, openDatabase } from '../db/database.ts';
import { queryRunner, withTransaction } from '../db/pool.ts';
import { createLogger } from '../logger.ts';
import { processOutput, type Output } from './command-io.ts';

// `kerma reference import FILE.json|FILE.csv` and `kerma reference list`: the same import and
// store as the API and the Reference levels page. The builtin sets are stored first, so a file that
// brings a new edition of a builtin set supersedes it here rather than being superseded at the
// next start.

/** What the reference commands need: queries and transactions on one migrated database. */
export type OpenReferenceDatabase = () => Promise<{
  db: QueryRunner;
  transaction: TransactionRunner;
  close(): Promise<void>;
}>;

/** The database named by DATABASE_URL (or the embedded one), migrated; the log speaks only of problems. */
export async function openReferenceDatabase(config: KermaConfig): ReturnType<OpenReferenceDatabase> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, logger);
  try {
    await migrateDatabase(database, config, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    db: queryRunner(database.pool),
    transaction: (work) => withTransaction(database.pool, work),
    close: () => database.close(),
  };
}

const cliImporter = { actorKind: 'system', actorName: 'kerma-cli' } as const;

/** A set file is JSON or CSV by its extension, or as --format says. */
function formatOf(file: string, option: string | undefined): 'json' | 'csv' {
  const format = option ?? path.extname(file).slice(1).toLowerCase();
  if (format === 'json' || format === 'csv') return format;
  throw new ValidationError(
    `cannot tell the format of ${path.basename(file)}: name it .json or .csv, or give --format`,
  );
}

export async function runReferenceImport(
  open: OpenReferenceDatabase,
  file: string,
  options: { format?: string },
  output: Output = processOutput,
): Promise<void> {
  const format = formatOf(file, options.format);
  const text = await readFile(file, 'utf8');
  const origin = path.basename(file);
  // Parsed before the database opens: a wrong file is said at once, whatever the database is doing.
  const document = format === 'json' ? parseReferenceSetJson(text, origin) : parseReferenceSetCsv(text, origin);
  const connection = await open();
  try {
    await seedBuiltinReferenceSets(connection.transaction);
    const result = await importReferenceSet(connection.transaction, document, cliImporter, { format });
    const { set, superseded } = result;
    output.out(
      `${JSON.stringify({
        referenceSetId: set.referenceSetId,
        setKey: set.setKey,
        edition: set.edition,
        values: set.valueCount,
        secondary: set.secondaryCount,
        superseded,
      })}\n`,
    );
    output.err(
      `Imported ${set.setKey} edition ${set.edition} (${set.valueCount} ${set.valueCount === 1 ? 'figure' : 'figures'})` +
        (superseded ? `; it supersedes edition ${superseded.edition}.\n` : '; it is the first edition of this set.\n'),
    );
  } finally {
    await connection.close();
  }
}

export async function runReferenceList(
  open: OpenReferenceDatabase,
  options: { all?: boolean },
  output: Output = processOutput,
): Promise<void> {
  const connection = await open();
  try {
    await seedBuiltinReferenceSets(connection.transaction);
    for (const set of await listReferenceSets(connection.db, { currentOnly: !options.all })) {
      const { referenceSetId, setKey, kind, edition, effectiveFrom, publisher, trustCode, builtin, current } = set;
      output.out(
        `${JSON.stringify({
          referenceSetId,
          setKey,
          kind,
          edition,
          effectiveFrom,
          publisher,
          trustCode,
          builtin,
          current,
          supersededBy: set.supersededBy,
          values: set.valueCount,
          secondary: set.secondaryCount,
        })}\n`,
      );
    }
  } finally {
    await connection.close();
  }
}

export function registerReferenceCommands(
  program: Command,
  open: OpenReferenceDatabase,
  output: Output = processOutput,
): void {
  const reference = program
    .command('reference')
    .description('reference sets (DRLs, notification values, conversion factors) with their editions');
  reference
    .command('import')
    .description('load a set (JSON or CSV, see reference-levels/README.md) as a new edition; prints it as JSON')
    .argument('<file>', 'the set: FILE.json or FILE.csv')
    .option('--format <format>', 'json or csv, when the file name does not say')
    .action((file: string, options: { format?: string }) => runReferenceImport(open, file, options, output));
  reference
    .command('list')
    .description('current editions, one JSON object per line (--all: superseded ones too)')
    .option('--all', 'include superseded editions')
    .action((options: { all?: boolean }) => runReferenceList(open, options, output));
}
