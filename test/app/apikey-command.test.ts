import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import pg from 'pg';
import { authenticateApiKey } from '../../access/index.ts';
import { registerApiKeyCommands } from '../../app/cli/apikey-command.ts';
import { MIGRATIONS_DIR, migrate } from '../../app/db/migrations.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { silentLogger } from '../support/logger.ts';
import {
  createEmptyDatabase,
  databaseUrl,
  dropDatabase,
  freshDatabase,
  type TestDatabase,
} from '../support/test-database.ts';

/** `kerma …` as an operator runs it: a real process on the test database. */
function kerma(database: TestDatabase, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/kerma.js', ...args], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      KERMA_LOG_LEVEL: 'silent',
      // Required with an external database; apikey never reads it.
      KERMA_PATIENT_ID_KEY: 'apikey-test-patient-id-key-0123456789',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface AuditRow {
  action: string;
  subject_key: string;
  detail: Record<string, unknown>;
}

describe('kerma apikey with scopes', function () {
  this.timeout(120_000);
  let database: TestDatabase;

  before(async () => {
    database = await freshDatabase();
    await database.pool.query(`INSERT INTO trusts (code, name) VALUES ('NTH', 'North Trust')`);
  });
  after(async () => {
    await database?.drop();
  });

  it('creates, lists and revokes keys from the command line, printing each key once and auditing', async () => {
    const created = kerma(database, ['apikey', 'create', 'nth-ris', '--trust', 'NTH', '--scope', 'orders,read']);
    expect(created.status, created.stderr).to.equal(0);
    const key = created.stdout.trim();
    expect(key).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).to.include('trust NTH').and.include('orders, read');

    const regional = kerma(database, [
      'apikey',
      'create',
      'region-engine',
      '--consortium',
      '--scope',
      'ingest',
      '--scope',
      'duplicate-check',
    ]);
    expect(regional.status, regional.stderr).to.equal(0);
    const db = queryRunner(database.pool);
    expect(await authenticateApiKey(db, key)).to.deep.include({ trustCode: 'NTH', scopes: ['orders', 'read'] });
    expect(await authenticateApiKey(db, regional.stdout.trim())).to.deep.include({
      trustCode: null,
      trustId: null,
      scopes: ['ingest', 'duplicate-check'],
    });

    const listed = kerma(database, ['apikey', 'list']);
    expect(listed.status, listed.stderr).to.equal(0);
    const keys = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      keys.map(({ name, trustCode, consortium, scopes, revokedAt }) => ({
        name,
        trustCode,
        consortium,
        scopes,
        revokedAt,
      })),
    ).to.deep.equal([
      { name: 'nth-ris', trustCode: 'NTH', consortium: false, scopes: ['orders', 'read'], revokedAt: null },
      {
        name: 'region-engine',
        trustCode: null,
        consortium: true,
        scopes: ['ingest', 'duplicate-check'],
        revokedAt: null,
      },
    ]);
    expect(listed.stdout).to.not.include(key);

    const revoked = kerma(database, ['apikey', 'revoke', 'nth-ris']);
    expect(revoked.status, revoked.stderr).to.equal(0);
    expect(await authenticateApiKey(db, key)).to.equal(undefined);

    const audit = await database.pool.query<AuditRow>(
      `SELECT action, subject_key, detail FROM audit_log WHERE subject_kind = 'api-key' ORDER BY audit_id`,
    );
    expect(audit.rows.map((r) => [r.action, r.subject_key])).to.deep.equal([
      ['api-key.create', 'nth-ris'],
      ['api-key.create', 'region-engine'],
      ['api-key.revoke', 'nth-ris'],
    ]);
    expect(audit.rows[1]!.detail).to.deep.equal({
      after: { trustCode: null, consortium: true, scopes: ['ingest', 'duplicate-check'] },
    });
    expect(JSON.stringify(audit.rows)).to.not.include(key);
  });

  it('refuses a key bound to both or neither, an unknown scope, and a missing --scope', async () => {
    const failure = async (...args: string[]): Promise<string> => {
      const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
      const db = queryRunner(database.pool);
      registerApiKeyCommands(program, () => Promise.resolve({ db, close: () => Promise.resolve() }), {
        out: () => undefined,
        err: () => undefined,
      });
      return program.parseAsync(['node', 'kerma', 'apikey', 'create', ...args]).then(
        () => '',
        (e: unknown) => (e as Error).message,
      );
    };
    expect(await failure('both', '--trust', 'NTH', '--consortium', '--scope', 'read')).to.match(/either --trust/);
    expect(await failure('neither', '--scope', 'read')).to.match(/either --trust/);
    expect(await failure('odd', '--trust', 'NTH', '--scope', 'ingest,admin')).to.match(/Scopes must be.*\(got admin\)/);
    expect(await failure('unscoped', '--trust', 'NTH')).to.match(/--scope/);
    const { rows } = await database.pool.query(
      `SELECT name FROM api_keys WHERE name IN ('both','neither','odd','unscoped')`,
    );
    expect(rows).to.deep.equal([]);
  });
});

describe('migration 0009 on a database that has keys and calling AE titles', () => {
  let name: string;
  let client: pg.Client;
  before(async () => {
    name = await createEmptyDatabase();
    client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    if (name) await dropDatabase(name);
  });

  it('keeps every existing key trust-bound with scope ingest, and moves the AE titles into their table', async () => {
    // The schema as it was before 0009: migrations up to 0008 only.
    const before = mkdtempSync(path.join(tmpdir(), 'kerma-mig-'));
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f < '0009')) {
      copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(before, file));
    }
    await migrate(client, { logger: silentLogger, timescale: 'off', dir: before });
    await client.query(`INSERT INTO trusts (code, name, calling_ae_titles) VALUES ('OLD', 'Old', '{CT1, PACS_OLD}')`);
    await client.query(
      `INSERT INTO api_keys (name, trust_id, key_sha256) SELECT 'old-pacs', trust_id, 'ab' FROM trusts WHERE code = 'OLD'`,
    );

    await migrate(client, { logger: silentLogger, timescale: 'off' });

    const keys = await client.query(`SELECT name, scopes, consortium, trust_id IS NOT NULL AS bound FROM api_keys`);
    expect(keys.rows).to.deep.equal([{ name: 'old-pacs', scopes: ['ingest'], consortium: false, bound: true }]);
    const titles = await client.query(
      `SELECT a.ae_title, t.code FROM dicom_calling_ae_titles a JOIN trusts t USING (trust_id) ORDER BY 1`,
    );
    expect(titles.rows).to.deep.equal([
      { ae_title: 'CT1', code: 'OLD' },
      { ae_title: 'PACS_OLD', code: 'OLD' },
    ]);
    // A new key must state its scopes, and is bound to a trust or to the consortium, never both.
    const refusal = (text: string) =>
      client.query(text).then(
        () => '',
        (e: Error) => e.message,
      );
    expect(await refusal(`INSERT INTO api_keys (name, key_sha256, consortium) VALUES ('a', 'x', true)`)).to.match(
      /null value in column "scopes"/,
    );
    expect(
      await refusal(
        `INSERT INTO api_keys (name, trust_id, key_sha256, scopes, consortium) SELECT 'b', trust_id, 'y', '{read}', true FROM trusts`,
      ),
    ).to.match(/api_keys_binding_check/);
    expect(
      await refusal(`INSERT INTO api_keys (name, key_sha256, scopes, consortium) VALUES ('c', 'z', '{}', true)`),
    ).to.match(/api_keys_scopes_check/);
  });
});
