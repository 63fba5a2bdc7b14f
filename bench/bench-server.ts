import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../app/db/embedded-postgres.ts';
import { silentLogger } from '../test/support/logger.ts';

/** The PostgreSQL a benchmark measures against: DATABASE_URL's server, else an embedded one in `work`. */
export async function benchServer(
  work: string,
  port: number,
): Promise<{ url: string; embedded: EmbeddedDatabase | undefined }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: undefined };
  // The cluster runs as the postgres OS user when we are root: it must be able to reach the folder.
  await chmod(work, 0o755);
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(work, 'pg'),
    port,
    logger: silentLogger,
    databaseName: 'postgres',
  });
  return { url: embedded.url, embedded };
}
