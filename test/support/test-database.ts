import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../app/db/pool.ts';
import { silentLogger } from './logger.ts';

/**
 * Per-file databases cloned from a migrated template (built once per run by root-hooks.ts), so test
 * files never share state and never pay for migrations again.
 */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.KERMA_TEST_ADMIN_URL;
  if (!url) throw new Error('KERMA_TEST_ADMIN_URL is not set: run tests through mocha (root hooks start the database)');
  return url;
}

export function templateName(): string {
  return process.env.KERMA_TEST_TEMPLATE ?? 'kerma_test_template';
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createEmptyDatabase(prefix = 'kerma_t'): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/** A new database with the full schema, cloned from the template. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `kerma_t_${randomBytes(5).toString('hex')}`;
  await withAdminClient((client) =>
    client.query(
      `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(templateName())}`,
    ),
  );
  const url = databaseUrl(name);
  const pool = createPool({ url, max: 5, connectTimeoutMs: 5000, logger: silentLogger });
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(name);
    },
  };
}
