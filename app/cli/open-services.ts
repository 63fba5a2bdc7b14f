import type { QueryRunner } from '../../core/index.ts';
import { createObjectStore, type ObjectStore } from '../../ingest/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { migrateDatabase, openDatabase } from '../db/database.ts';
import { queryRunner } from '../db/pool.ts';
import { wireIngest, type WiredIngest } from '../ingest-wiring.ts';
import { createLogger } from '../logger.ts';

/**
 * What a one-shot CLI command needs: the database named by DATABASE_URL or the embedded one under
 * KERMA_DATA_DIR (started if needed), migrated, with the ingest use case wired as `serve` wires it.
 */
export interface CliServices {
  readonly db: QueryRunner;
  readonly ingest: WiredIngest;
  readonly objects: ObjectStore;
  close(): Promise<void>;
}

export async function openCliServices(config: KermaConfig): Promise<CliServices> {
  // Commands print their own output; the log only speaks of problems.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, logger);
  try {
    await migrateDatabase(database, config, logger);
    const ingest = await wireIngest(config, database, logger);
    return {
      db: queryRunner(database.pool),
      ingest,
      objects: createObjectStore(config.dataDir),
      close: async () => {
        await ingest.drainAnalytics();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
