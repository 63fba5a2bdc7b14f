import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../app/db/migrations.ts';
import { createPool } from '../../app/db/pool.ts';
import type { ScenarioDatabase } from './scenarios.ts';
import { silentLogger } from '../support/logger.ts';

/** Scenario databases on the server behind `adminUrl`: created, migrated, dropped after use. */
export function scenarioDatabases(adminUrl: string): () => Promise<ScenarioDatabase> {
  return async () => {
    const name = `kerma_conformance_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    admin.on('error', () => undefined); // its one query fails instead
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    // createPool: a pool with an 'error' listener, so a terminated idle connection (57P01) is logged, not fatal.
    const pool = createPool({ url: url.toString(), max: 4, connectTimeoutMs: 5000, logger: silentLogger });
    const client = await pool.connect();
    try {
      await migrate(client, { logger: silentLogger, timescale: 'auto' });
    } finally {
      client.release();
    }
    return {
      pool,
      url: url.toString(),
      drop: async () => {
        await pool.end();
        const cleanup = new pg.Client({ connectionString: adminUrl });
        cleanup.on('error', () => undefined); // its one query fails instead
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${cleanup.escapeIdentifier(name)} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  };
}
