import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from '../../core/index.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/**
 * Any fixed 64-bit number works; this one is "kerma" in ASCII so it is recognisable in pg_locks.
 */
const MIGRATION_LOCK_KEY = 0x6b65726d61;

/** `timescaledb` when the extension can be used, `plain` otherwise (see docs/adr/0002). */
export type StorageFlavour = 'timescaledb' | 'plain';
export type TimescaleMode = 'auto' | 'off' | 'required';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Files by variant: `shared` applies everywhere; the flavoured ones apply to that flavour only. */
  readonly files: Partial<Record<'shared' | StorageFlavour, string>>;
}

export interface MigrationResult {
  readonly flavour: StorageFlavour;
  readonly applied: readonly number[];
  readonly latest: number;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+?)(?:\.(timescaledb|plain))?\.sql$/;

export async function listMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const byVersion = new Map<number, { name: string; files: Migration['files'] }>();
  for (const file of (await readdir(dir)).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    const version = Number.parseInt(match[1] ?? '', 10);
    const name = match[2] ?? '';
    const variant = (match[3] ?? 'shared') as 'shared' | StorageFlavour;
    const entry = byVersion.get(version) ?? { name, files: {} };
    if (entry.name !== name) throw new Error(`migration ${version} has two names: ${entry.name}, ${name}`);
    entry.files[variant] = path.join(dir, file);
    byVersion.set(version, entry);
  }
  const migrations = [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, entry]) => ({ version, ...entry }));
  for (const m of migrations) {
    const flavoured = Boolean(m.files.timescaledb) || Boolean(m.files.plain);
    if (flavoured && (!m.files.timescaledb || !m.files.plain || m.files.shared)) {
      throw new Error(
        `migration ${m.version}_${m.name} must have both .timescaledb.sql and .plain.sql and no plain .sql`,
      );
    }
  }
  return migrations;
}

/**
 * TimescaleDB is usable only when the extension is installed on the server and preloaded
 * (`CREATE EXTENSION timescaledb` fails otherwise), or already created in this database.
 */
export async function detectStorageFlavour(client: pg.ClientBase, mode: TimescaleMode): Promise<StorageFlavour> {
  if (mode === 'off') return 'plain';
  const { rows } = await client.query<{ installed: boolean; usable: boolean }>(`
    SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS installed,
           EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
             AND current_setting('shared_preload_libraries') ILIKE '%timescaledb%' AS usable`);
  const found = rows[0]?.installed === true || rows[0]?.usable === true;
  if (!found && mode === 'required') {
    throw new Error('KERMA_TIMESCALEDB=required but the server has no preloaded timescaledb extension');
  }
  return found ? 'timescaledb' : 'plain';
}

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function ensureLedger(client: pg.ClientBase): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS kerma_schema_migrations (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      flavour     text NOT NULL,
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so that
 * several Kerma instances starting together apply each migration exactly once. Refuses to run when
 * an applied migration's file has changed: merged migrations are never edited.
 */
export async function migrate(
  client: pg.ClientBase,
  options: { logger: Logger; timescale: TimescaleMode; dir?: string },
): Promise<MigrationResult> {
  const migrations = await listMigrations(options.dir);
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await ensureLedger(client);
    const { rows: applied } = await client.query<{
      version: number;
      flavour: StorageFlavour | 'shared';
      checksum: string;
    }>('SELECT version, flavour, checksum FROM kerma_schema_migrations ORDER BY version');
    // The flavour is decided once per database, at its first flavoured migration, and then kept.
    const recorded = applied.find((row) => row.flavour !== 'shared')?.flavour as StorageFlavour | undefined;
    const flavour = recorded ?? (await detectStorageFlavour(client, options.timescale));
    const appliedByVersion = new Map(applied.map((row) => [row.version, row]));
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      const file = migration.files.shared ?? migration.files[flavour];
      if (!file) throw new Error(`migration ${migration.version} has no file for ${flavour}`);
      const text = await readFile(file, 'utf8');
      const done = appliedByVersion.get(migration.version);
      if (done) {
        if (done.checksum !== checksum(text)) {
          throw new Error(
            `migration ${path.basename(file)} was edited after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(text);
        await client.query(
          'INSERT INTO kerma_schema_migrations (version, name, flavour, checksum) VALUES ($1, $2, $3, $4)',
          [migration.version, migration.name, migration.files.shared ? 'shared' : flavour, checksum(text)],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${path.basename(file)} failed: ${(error as Error).message}`, { cause: error });
      }
      newlyApplied.push(migration.version);
      options.logger.info({ version: migration.version, name: migration.name, flavour }, 'migration applied');
    }
    return { flavour, applied: newlyApplied, latest: migrations.at(-1)?.version ?? 0 };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

/** Latest version in the ledger versus the latest file: used by /readyz. */
export async function migrationStatus(
  runner: pg.Pool | pg.ClientBase,
  dir?: string,
): Promise<{ applied: number; expected: number }> {
  const migrations = await listMigrations(dir);
  const ledger = await runner.query<{ exists: boolean }>(
    `SELECT to_regclass('kerma_schema_migrations') IS NOT NULL AS exists`,
  );
  if (ledger.rows[0]?.exists !== true) return { applied: 0, expected: migrations.at(-1)?.version ?? 0 };
  const { rows } = await runner.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM kerma_schema_migrations',
  );
  return { applied: rows[0]?.version ?? 0, expected: migrations.at(-1)?.version ?? 0 };
}
