import { createPool, queryRunner, withTransaction } from '../../app/db/pool.ts';
import { createIngestService, createObjectStore } from '../../ingest/index.ts';
import { importFiles } from '../../ingest/transports/file-import.ts';
import { silentLogger } from './logger.ts';

/**
 * A bulk import in its own process, for the kill -9 test: `import-child.ts <databaseUrl> <dataDir>
 * <journalDir> <root>`. Prints `committed <SOP Instance UID>` on stdout once the database committed
 * an object (an acknowledgement), and `done` at the end; the test SIGKILLs it part-way.
 */
const [url, dataDir, journalDir, root] = process.argv.slice(2);
if (!url || !dataDir || !journalDir || !root)
  throw new Error('usage: import-child.ts <databaseUrl> <dataDir> <journalDir> <root>');

const pool = createPool({ url, max: 5, connectTimeoutMs: 5000, logger: silentLogger });
const objects = createObjectStore(dataDir);
const service = createIngestService({
  transaction: (work) => withTransaction(pool, work),
  db: queryRunner(pool),
  objects,
  logger: silentLogger,
  patientIdSecret: 'x'.repeat(32),
  timeZone: 'Europe/London',
  notPatientPatterns: { ids: [], names: [] },
});

const summary = await importFiles({
  paths: [root],
  ingest: {
    objects,
    commitPrepared: async (request, prepared, storagePath) => {
      const outcome = await service.commitPrepared(request, prepared, storagePath);
      process.stdout.write(`committed ${outcome.sopInstanceUid ?? ''}\n`);
      return outcome;
    },
    commitPreparedBatch: async (items) => {
      const results = await service.commitPreparedBatch(items);
      const committed = results.flatMap((r) => (r instanceof Error ? [] : [`committed ${r.sopInstanceUid ?? ''}\n`]));
      process.stdout.write(committed.join(''));
      return results;
    },
  },
  trustCode: 'DEFAULT',
  logger: silentLogger,
  journal: { directory: journalDir, scope: url },
});
process.stdout.write(`done ${JSON.stringify(summary)}\n`);
await pool.end();
