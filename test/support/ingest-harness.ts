import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import { mapIngestedStudies } from '../../analytics/index.ts';
import { createIngestService, createObjectStore } from '../../ingest/index.ts';
import { recordingLogger } from './logger.ts';
import type { TestDatabase } from './test-database.ts';

/** The real ingest use case on a test database, with its object store in a fresh temp folder. */
export function testIngestService(
  db: TestDatabase,
  options: { onStudyUpdated?: (e: { studyId: number }) => void } = {},
) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kerma-objects-'));
  const logger = recordingLogger();
  const service = createIngestService({
    transaction: (work) => withTransaction(db.pool, work),
    db: queryRunner(db.pool),
    objects: createObjectStore(dataDir),
    logger,
    patientIdSecret: 'test-secret-'.repeat(4),
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: ['qa*'], names: ['phantom*'] },
    // As the service wires it: each commit maps its studies to standard procedures.
    onStudiesRecorded: mapIngestedStudies,
    ...(options.onStudyUpdated ? { onStudyUpdated: options.onStudyUpdated } : {}),
  });
  return { service, dataDir, logger };
}
