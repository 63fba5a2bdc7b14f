import type { Logger } from '../core/index.ts';
import { mapIngestedStudies } from '../analytics/index.ts';
import { createIngestService, createObjectStore, type IngestService } from '../ingest/index.ts';
import type { KermaConfig } from './config/index.ts';
import type { Database } from './db/database.ts';
import { queryRunner, withTransaction } from './db/pool.ts';
import { patientIdSecret } from './secrets.ts';
import { applyTrusts, loadTrustsFile } from './trusts.ts';

export type WiredIngest = IngestService & ReturnType<typeof createIngestService>;

/** Builds the ingest use case (shared by every transport and CLI command) on an open database. */
export async function wireIngest(config: KermaConfig, database: Database, logger: Logger): Promise<WiredIngest> {
  if (config.trustsFile) await applyTrusts(queryRunner(database.pool), loadTrustsFile(config.trustsFile));
  return createIngestService({
    transaction: (work) => withTransaction(database.pool, work),
    db: queryRunner(database.pool),
    objects: createObjectStore(config.dataDir),
    logger: logger.child({ component: 'ingest' }),
    patientIdSecret: await patientIdSecret(config),
    timeZone: config.timeZone,
    notPatientPatterns: config.notPatientPatterns,
    // Each stored study gets its standard procedure in the same transaction (docs/adr/0013).
    onStudiesRecorded: mapIngestedStudies,
  });
}
