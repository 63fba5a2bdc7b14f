import type { Command } from 'commander';
import { listQuarantine, retryQuarantine, storeStats, type StoreStats } from '../../ingest/index.ts';
import type { CliServices } from './open-services.ts';

type Open = () => Promise<CliServices>;

/** The line `kerma stats --json` prints (without its newline); `kerma demo` ends with the same one. */
export const statsJsonLine = (stats: StoreStats): string => JSON.stringify(stats);

async function withServices<T>(open: Open, work: (services: CliServices) => Promise<T>): Promise<T> {
  const services = await open();
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

/** `kerma stats`, `kerma quarantine [--retry]`: what the store holds and what it refused. */
export function registerStoreCommands(program: Command, open: Open): void {
  program
    .command('stats')
    .description('counts of studies and events by modality, received objects and open quarantine entries')
    .option('--json', 'print one JSON object as the last line')
    .action(async (options: { json?: boolean }) => {
      const stats = await withServices(open, (s) => storeStats(s.db));
      if (options.json) process.stdout.write(`${statsJsonLine(stats)}\n`);
      else {
        const line = (name: string, counts: Record<string, number>): string =>
          `${name}: ${
            Object.entries(counts)
              .map(([m, n]) => `${m} ${n}`)
              .join(', ') || 'none'
          }`;
        process.stdout.write(`${line('studies', stats.studies)}\n${line('events', stats.events)}\n`);
        process.stdout.write(
          `source objects: ${stats.sourceObjects} (${stats.notDose} without dose), quarantined: ${stats.quarantined}\n`,
        );
      }
      process.exit(0);
    });

  program
    .command('quarantine')
    .description('list the objects that could not be extracted, or retry them')
    .option('--retry', 'run every open entry through ingest again')
    .option('--json', 'one JSON object per entry and line')
    .action(async (options: { retry?: boolean; json?: boolean }) => {
      await withServices(open, async (s) => {
        if (options.retry) {
          const results = await retryQuarantine({ db: s.db, objects: s.objects, ingest: s.ingest });
          const fixed = results.filter((r) => r.outcome.status !== 'quarantined').length;
          process.stdout.write(
            `retried ${results.length}: ${fixed} now stored, ${results.length - fixed} still quarantined\n`,
          );
          return;
        }
        for (const entry of await listQuarantine(s.db, 1000, 0)) {
          process.stdout.write(
            options.json
              ? `${JSON.stringify(entry)}\n`
              : `${entry.quarantinedAt} ${entry.reasonCode} ${entry.sopInstanceUid ?? '(no UID)'} from ${entry.transport}:${entry.sender ?? '?'}: ${entry.reason}\n`,
          );
        }
      });
      process.exit(0);
    });
}

/** Studies with an object extracted by an older extractor version than the one now installed. */
const OUTDATED_STUDIES = `
  SELECT DISTINCT study_id FROM source_objects o
  JOIN unnest($1::text[], $2::int[]) AS current(extractor, version) ON current.extractor = o.extractor
  WHERE o.status = 'extracted' AND o.study_id IS NOT NULL AND (o.extractor_version IS NULL OR o.extractor_version < current.version)
  ORDER BY study_id`;

/** `kerma reprocess [--all]`: re-extract from the stored bytes after an extractor upgrade. */
export function registerReprocessCommand(
  program: Command,
  open: Open,
  extractors: ReadonlyArray<{ name: string; version: number }>,
): void {
  program
    .command('reprocess')
    .description('re-extract studies whose objects an older extractor version read (or every study with --all)')
    .option('--all', 'every study, whatever extracted it')
    .action(async (options: { all?: boolean }) => {
      const failures = await withServices(open, async (s) => {
        const { rows } = options.all
          ? await s.db.query<{ study_id: number }>({ text: 'SELECT study_id FROM studies ORDER BY study_id' })
          : await s.db.query<{ study_id: number }>({
              text: OUTDATED_STUDIES,
              values: [extractors.map((e) => e.name), extractors.map((e) => e.version)],
            });
        let failed = 0;
        for (const { study_id: studyId } of rows) {
          await s.ingest.reprocessStudy(studyId).catch((error: unknown) => {
            failed += 1;
            process.stderr.write(`study ${studyId}: ${(error as Error).message}\n`);
          });
        }
        process.stdout.write(`reprocessed ${rows.length - failed} of ${rows.length} studies\n`);
        return failed;
      });
      process.exit(failures === 0 ? 0 : 1);
    });
}
