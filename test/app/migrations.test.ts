import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { MIGRATIONS_DIR, listMigrations, migrate, migrationStatus } from '../../app/db/migrations.ts';
import {
  createEmptyDatabase,
  databaseUrl,
  dropDatabase,
  freshDatabase,
  type TestDatabase,
} from '../support/test-database.ts';
import { silentLogger } from '../support/logger.ts';

async function connect(name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  return client;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.ClientBase;

/** Whether the server offers TimescaleDB: the extension is installed and preloaded (docs/adr/0002). */
async function serverOffersTimescale(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ available: boolean; preload: string }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
            current_setting('shared_preload_libraries') AS preload`,
  );
  const preloaded = rows[0]!.preload.split(',').some((library) => library.trim() === 'timescaledb');
  return rows[0]!.available && preloaded;
}

interface EventStorage {
  /** The timescaledb extension exists in this database. */
  readonly extension: boolean;
  /** The time column of irradiation_events as a hypertable, null when it is none. */
  readonly hypertableTime: string | null;
  /** irradiation_events' native partition key, null when it is not partitioned. */
  readonly partitionKey: string | null;
}

const STORAGE: Record<'timescaledb' | 'plain', EventStorage> = {
  timescaledb: { extension: true, hypertableTime: 'occurred_at', partitionKey: null },
  plain: { extension: false, hypertableTime: null, partitionKey: 'RANGE (occurred_at)' },
};

/** How irradiation_events is stored, read from the catalogue. */
async function eventStorage(db: Queryable): Promise<EventStorage> {
  const { rows } = await db.query<{ extension: boolean; partition_key: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS extension,
            (SELECT pg_get_partkeydef(p.partrelid) FROM pg_partitioned_table p
             WHERE p.partrelid = to_regclass('irradiation_events')) AS partition_key`,
  );
  const { extension, partition_key: partitionKey } = rows[0]!;
  let hypertableTime: string | null = null;
  if (extension) {
    const dimensions = await db.query<{ column_name: string }>(
      `SELECT column_name FROM timescaledb_information.dimensions
       WHERE hypertable_name = 'irradiation_events' AND dimension_type = 'Time'`,
    );
    hypertableTime = dimensions.rows[0]?.column_name ?? null;
  }
  return { extension, hypertableTime, partitionKey };
}

/** The flavours the migration ledger records for flavoured migrations. */
async function recordedFlavours(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ flavour: string }>(
    `SELECT DISTINCT flavour FROM kerma_schema_migrations WHERE flavour <> 'shared' ORDER BY flavour`,
  );
  return rows.map((r) => r.flavour);
}

describe('migrations', () => {
  const created: string[] = [];
  after(async () => {
    for (const name of created) await dropDatabase(name);
  });

  it('pairs flavoured files and orders versions', async () => {
    const migrations = await listMigrations();
    expect(migrations.map((m) => m.version)).to.deep.equal([...migrations.map((m) => m.version)].sort((a, b) => a - b));
    const events = migrations.find((m) => m.name === 'irradiation_events');
    expect(events?.files.plain).to.match(/\.plain\.sql$/);
    expect(events?.files.timescaledb).to.match(/\.timescaledb\.sql$/);
    const unpaired = mkdtempSync(path.join(tmpdir(), 'kerma-mig-'));
    writeFileSync(path.join(unpaired, '0001_core.sql'), 'SELECT 1;');
    writeFileSync(path.join(unpaired, '0002_events.plain.sql'), 'SELECT 1;');
    const refused = await listMigrations(unpaired).then(
      () => 'listed',
      (error: Error) => error.message,
    );
    expect(refused).to.include('migration 2_events must have both .timescaledb.sql and .plain.sql');
  });

  it('applies each migration exactly once when several instances start together', async () => {
    const name = await createEmptyDatabase();
    created.push(name);
    const clients = await Promise.all([connect(name), connect(name), connect(name)]);
    try {
      const results = await Promise.all(clients.map((c) => migrate(c, { logger: silentLogger, timescale: 'auto' })));
      const appliedEverywhere = results.flatMap((r) => r.applied).sort((a, b) => a - b);
      const versions = (await listMigrations()).map((m) => m.version);
      expect(appliedEverywhere).to.deep.equal(versions);
      const { rows } = await clients[0].query('SELECT version FROM kerma_schema_migrations ORDER BY version');
      expect(rows.map((r: { version: number }) => r.version)).to.deep.equal(versions);
      const again = await migrate(clients[0], { logger: silentLogger, timescale: 'auto' });
      expect(again.applied).to.deep.equal([]);
      expect(await migrationStatus(clients[0])).to.deep.equal({ applied: versions.at(-1), expected: versions.at(-1) });
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('refuses to run when an applied migration was edited', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kerma-mig-'));
    for (const file of readdirSync(MIGRATIONS_DIR)) copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
    const name = await createEmptyDatabase();
    created.push(name);
    const client = await connect(name);
    try {
      await migrate(client, { logger: silentLogger, timescale: 'off', dir });
      writeFileSync(path.join(dir, '0001_core.sql'), '-- edited\n', { flag: 'a' });
      let message = '';
      await migrate(client, { logger: silentLogger, timescale: 'off', dir }).catch((e: Error) => (message = e.message));
      expect(message).to.include('0001_core.sql was edited');
    } finally {
      await client.end();
    }
  });

  it('rolls back a failing migration and names it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kerma-mig-'));
    writeFileSync(path.join(dir, '0001_ok.sql'), 'CREATE TABLE ok_table (id int PRIMARY KEY);');
    writeFileSync(path.join(dir, '0002_broken.sql'), 'CREATE TABLE half (id int); SELECT * FROM no_such_table;');
    const name = await createEmptyDatabase();
    created.push(name);
    const client = await connect(name);
    try {
      let message = '';
      await migrate(client, { logger: silentLogger, timescale: 'off', dir }).catch((e: Error) => (message = e.message));
      expect(message).to.include('0002_broken.sql failed').and.include('no_such_table');
      const { rows } = await client.query(`SELECT to_regclass('half') AS half, to_regclass('ok_table') AS ok`);
      expect(rows[0]).to.deep.equal({ half: null, ok: 'ok_table' });
    } finally {
      await client.end();
    }
  });

  it('keeps plain partitions with KERMA_TIMESCALEDB=off, even where TimescaleDB is offered', async () => {
    const name = await createEmptyDatabase();
    created.push(name);
    const client = await connect(name);
    try {
      const result = await migrate(client, { logger: silentLogger, timescale: 'off' });
      expect(result.flavour).to.equal('plain');
      expect(await eventStorage(client)).to.deep.equal(STORAGE.plain);
      expect(await recordedFlavours(client)).to.deep.equal(['plain']);
    } finally {
      await client.end();
    }
  });

  it('with KERMA_TIMESCALEDB=required, uses TimescaleDB where offered and refuses to migrate where not', async () => {
    const name = await createEmptyDatabase();
    created.push(name);
    const client = await connect(name);
    try {
      const offered = await serverOffersTimescale(client);
      const migrated = await migrate(client, { logger: silentLogger, timescale: 'required' }).catch(
        (error: Error) => error,
      );
      if (offered) {
        expect(migrated).to.include({ flavour: 'timescaledb' });
        expect(await eventStorage(client)).to.deep.equal(STORAGE.timescaledb);
        expect(await recordedFlavours(client)).to.deep.equal(['timescaledb']);
      } else {
        expect(migrated).to.be.instanceOf(Error);
        expect((migrated as Error).message).to.include('KERMA_TIMESCALEDB=required');
        const { rows } = await client.query(`SELECT to_regclass('irradiation_events') AS events`);
        expect(rows[0], 'no flavoured table was created').to.deep.equal({ events: null });
      }
    } finally {
      await client.end();
    }
  });

  describe('irradiation events storage', () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
    });
    after(async () => db.drop());

    it('uses a hypertable on TimescaleDB and monthly partitions otherwise', async () => {
      // Asked of the server itself, not of the migration run that built this database.
      const expected = (await serverOffersTimescale(db.pool)) ? 'timescaledb' : 'plain';
      expect(await eventStorage(db.pool)).to.deep.equal(STORAGE[expected]);
      expect(await recordedFlavours(db.pool), 'the flavour the ledger records').to.deep.equal([expected]);
      expect(process.env.KERMA_TEST_FLAVOUR, 'the flavour migrate() returned').to.equal(expected);
    });

    it('stores events of any month through the same statements on both paths', async () => {
      const study = await db.pool.query<{ study_id: number }>(
        `INSERT INTO studies (study_instance_uid, modality) VALUES ('1.2.3.4', 'CT') RETURNING study_id`,
      );
      const studyId = study.rows[0]!.study_id;
      const insertEvent = (uid: string, at: string): Promise<unknown> =>
        db.pool.query(
          `INSERT INTO irradiation_events (occurred_at, study_id, irradiation_event_uid, modality, event_kind, ctdivol_mgy, dlp_mgycm)
           VALUES ($1, $2, $3, 'CT', 'ct', 10.5, 300)`,
          [at, studyId, uid],
        );
      // An event lands in the default partition before its month exists, then moves when it is created.
      await insertEvent('1.2.3.4.1', '2024-03-15T10:00:00Z');
      await db.pool.query(`SELECT kerma_ensure_event_partition('2024-03-01T00:00:00Z')`);
      await db.pool.query(`SELECT kerma_ensure_event_partition('2024-03-31T23:59:59Z')`);
      await insertEvent('1.2.3.4.2', '2024-03-16T10:00:00Z');
      let duplicate = '';
      await insertEvent('1.2.3.4.2', '2024-03-16T10:00:00Z').catch((e: { code: string }) => (duplicate = e.code));
      expect(duplicate).to.equal('23505');
      const { rows } = await db.pool.query<{ n: number; dlp: number }>(
        `SELECT count(*)::int AS n, sum(dlp_mgycm) AS dlp FROM irradiation_events
         WHERE occurred_at >= '2024-03-01' AND occurred_at < '2024-04-01'`,
      );
      expect(rows[0]).to.deep.equal({ n: 2, dlp: 600 });
      if ((await eventStorage(db.pool)).partitionKey !== null) {
        const inDefault = await db.pool.query('SELECT 1 FROM irradiation_events_default');
        expect(inDefault.rowCount).to.equal(0);
      }
    });
  });
});
