import type { Logger } from '../core/index.ts';
import { createStudyRecomputeQueue, mapIngestedStudies, recomputeDoseMetrics } from '../analytics/index.ts';
import { createIngestService, createObjectStore, type IngestService } from '../ingest/index.ts';
import type { KermaConfig } from './config/index.ts';
import type { Database } from './db/database.ts';
import { queryRunner, withTransaction } from './db/pool.ts';
import { patientIdSecret } from './secrets.ts';
import { applyTrusts, loadTrustsFile } from './trusts.ts';

export type WiredIngest = IngestService &
  ReturnType<typeof createIngestService> & {
    /** Finishes the analytics work queued by stored studies (dose metrics); call before closing the database. */
    drainAnalytics(): Promise<void>;
  };

/**
 * Builds the ingest use case (shared by every transport and CLI command) on an open database. Each
 * committed study is queued for its dose metrics and DRL comparisons (analytics/dose-metrics), in
 * batches after the commit, never inside ingest's transaction: a slow recompute must not slow the
 * acknowledgement a modality waits for.
 */
export async function wireIngest(config: KermaConfig, database: Database, logger: Logger): Promise<WiredIngest> {
  const db = queryRunner(database.pool);
  if (config.trustsFile) await applyTrusts(db, loadTrustsFile(config.trustsFile));
  const metrics = createStudyRecomputeQueue({
    run: (studyIds) => recomputeDoseMetrics(db, { studyIds }),
    logger: logger.child({ component: 'dose-metrics' }),
  });
  const service = createIngestService({
    transaction: (work) => withTransaction(database.pool, work),
    db,
    objects: createObjectStore(config.dataDir),
    logger: logger.child({ component: 'ingest' }),
    patientIdSecret: await patientIdSecret(config),
    timeZone: config.timeZone,
    notPatientPatterns: config.notPatientPatterns,
    // Each stored study gets its standard procedure in the same transaction (docs/adr/0013).
    onStudiesRecorded: mapIngestedStudies,
    onStudyUpdated: (event) => metrics.add(event.studyId),
  });
  return { ...service, drainAnalytics: () => metrics.drain() };
}
