import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../app/db/migrations.ts';
import type { ScenarioDatabase } from './scenarios.ts';
import { silentLogger } from '../support/logger.ts';

/** Scenario databases on the server behind `adminUrl`: created, migrated, dropped after use. */
export function scenarioDatabases(adminUrl: string): () => Promise<ScenarioDatabase> {
  return async () => {
    const name = `kerma_conformance_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
    const client = await pool.connect();
    try {
      await migrate(client, { logger: silentLogger, timescale: 'auto' });
    } finally {
      client.release();
    }
    return {
      pool,
      drop: async () => {
        await pool.end();
        const cleanup = new pg.Client({ connectionString: adminUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${cleanup.escapeIdentifier(name)} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  };
}
