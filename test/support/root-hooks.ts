import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../app/db/embedded-postgres.ts';
import { migrate } from '../../app/db/migrations.ts';
import { dropDatabase, templateName, withAdminClient, databaseUrl } from './test-database.ts';
import { silentLogger } from './logger.ts';
import { killTracked } from './child-processes.ts';

/**
 * Mocha global fixtures: one PostgreSQL for the whole run (DATABASE_URL when set, else an embedded
 * server under .kerma/test-pg on its own port) and one migrated template database to clone.
 */
let embedded: EmbeddedDatabase | undefined;

const TEST_PG_PORT = Number.parseInt(process.env.KERMA_TEST_PG_PORT ?? '54339', 10);

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    process.env.KERMA_TEST_ADMIN_URL = url.toString();
  } else {
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve('.kerma', 'test-pg'),
      port: TEST_PG_PORT,
      logger: silentLogger,
      databaseName: 'postgres',
      // A scratch cluster: one left by another PostgreSQL version is replaced, not kept.
      replaceOtherVersion: true,
    });
    process.env.KERMA_TEST_ADMIN_URL = embedded.url;
  }
  // Unique per run, so two runs against one shared server (CI and a developer) never collide.
  process.env.KERMA_TEST_TEMPLATE = `kerma_tpl_${process.pid}_${Date.now().toString(36)}`;
  const template = templateName();
  await withAdminClient((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(template)}`));
  const client = new pg.Client({ connectionString: databaseUrl(template) });
  await client.connect();
  try {
    const result = await migrate(client, { logger: silentLogger, timescale: 'auto' });
    process.env.KERMA_TEST_FLAVOUR = result.flavour;
  } finally {
    await client.end();
  }
  // TimescaleDB starts a background scheduler in every database with the extension; a template
  // must have no connections when cloned, so forbid them and end any that exist.
  await withAdminClient(async (admin) => {
    await admin.query(
      `ALTER DATABASE ${admin.escapeIdentifier(template)} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`,
    );
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [template]);
  });
  const version = await withAdminClient(
    async (admin) => (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v,
  );
  process.stdout.write(
    `test database: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'} ` +
      `(PostgreSQL ${version}, ${process.env.KERMA_TEST_FLAVOUR})\n`,
  );
}

export async function mochaGlobalTeardown(): Promise<void> {
  // Last resort: a test that failed before its own cleanup must still leave no process behind.
  const left = await killTracked();
  if (left > 0) process.stdout.write(`killed ${left} child process(es) a test left running\n`);
  const template = templateName();
  await withAdminClient((admin) =>
    admin.query(`ALTER DATABASE ${admin.escapeIdentifier(template)} WITH IS_TEMPLATE false`),
  );
  await dropDatabase(template);
  await embedded?.stop();
}
