import type pg from 'pg';
import type { Logger } from '../../core/index.ts';
import type { KermaConfig } from '../config/index.ts';
import { migrate, type MigrationResult } from './migrations.ts';
import { createPool } from './pool.ts';

export interface Database {
  readonly pool: pg.Pool;
  readonly url: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded server when none is configured. */
export async function openDatabase(config: KermaConfig, logger: Logger): Promise<Database> {
  // Loaded only when needed: with DATABASE_URL the embedded server's code has nothing to do.
  const embedded = config.databaseUrl
    ? undefined
    : await (
        await import('./embedded-postgres.ts')
      ).startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger });
  const url = config.databaseUrl ?? embedded?.url ?? '';
  const pool = createPool({ url, max: config.db.poolMax, connectTimeoutMs: config.db.connectTimeoutMs, logger });
  return {
    pool,
    url,
    embedded: embedded !== undefined,
    close: async () => {
      await pool.end();
      await embedded?.stop();
    },
  };
}

export async function migrateDatabase(
  database: Database,
  config: KermaConfig,
  logger: Logger,
): Promise<MigrationResult> {
  const client = await database.pool.connect();
  try {
    return await migrate(client, { logger, timescale: config.timescale });
  } finally {
    client.release();
  }
}
