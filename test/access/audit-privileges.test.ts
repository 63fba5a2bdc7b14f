import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { recordAudit } from '../../access/index.ts';
import { grantAppRole } from '../../app/db/app-role.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { buildCtRdsr } from '../support/fixtures/xray-rdsr.ts';
import { freshDatabase, withAdminClient, type TestDatabase } from '../support/test-database.ts';
import { startWebHarness } from '../support/web.ts';

type PgError = { code?: string; message: string };
const failureOf = (promise: Promise<unknown>): Promise<PgError | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => error as PgError,
  );

/**
 * Kerma run as a role that does not own the schema (`kerma migrate --grant-to kerma_app` by the owner,
 * `kerma serve` as kerma_app): the audit log is closed to UPDATE and DELETE by privileges, which that
 * role cannot lift, on top of the trigger that even the owner meets.
 */
describe('audit log: privileges of a non-owner service role', function () {
  this.timeout(60_000);
  const role = `kerma_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let database: TestDatabase;
  let asApp: pg.Pool;

  before(async () => {
    database = await freshDatabase();
    await withAdminClient((admin) =>
      admin.query(`CREATE ROLE ${admin.escapeIdentifier(role)} LOGIN PASSWORD '${password}'`),
    );
    await grantAppRole(database.pool, role);
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    asApp = new pg.Pool({ connectionString: url.toString(), max: 2 });
  });
  after(async () => {
    await asApp?.end();
    await database?.drop();
    await withAdminClient((admin) => admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(role)}`));
  });

  it('connects as a role that owns nothing', async () => {
    const { rows } = await asApp.query<{ me: string; owner: string }>(
      `SELECT current_user AS me, tableowner AS owner FROM pg_tables WHERE tablename = 'audit_log'`,
    );
    expect(rows[0]!.me).to.equal(role);
    expect(rows[0]!.owner).to.not.equal(role);
  });

  it('may append to the audit log and read it', async () => {
    await recordAudit(queryRunner(asApp), { actorKind: 'system', action: 'privileges.test', requestId: 'r-1' });
    const { rows } = await asApp.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'privileges.test'`,
    );
    expect(rows[0]!.n).to.equal(1);
  });

  for (const statement of [
    `UPDATE audit_log SET action = 'nothing happened'`,
    'DELETE FROM audit_log',
    'TRUNCATE audit_log',
  ]) {
    it(`is refused by privileges, before any trigger: ${statement.split(' ')[0]}`, async () => {
      const error = await failureOf(asApp.query(statement));
      expect(error, statement).to.not.equal(undefined);
      expect(error!.code).to.equal('42501');
      // "permission denied for table audit_log", not the trigger's "append-only" message.
      expect(error!.message).to.match(/permission denied for table audit_log/);
    });
  }

  it('cannot lift the lock: dropping the trigger or granting itself UPDATE is refused', async () => {
    expect((await failureOf(asApp.query('DROP TRIGGER audit_log_no_change ON audit_log')))?.code).to.equal('42501');
    // PostgreSQL only warns that nothing was granted; the UPDATE stays refused.
    await asApp.query(`GRANT UPDATE ON audit_log TO ${role}`);
    expect((await failureOf(asApp.query(`UPDATE audit_log SET action = 'x'`)))?.code).to.equal('42501');
    expect((await failureOf(asApp.query(`SELECT kerma_grant_app_role('${role}')`)))?.code).to.equal('42501');
  });

  it('the owner meets the trigger instead (the second lock)', async () => {
    for (const statement of [`UPDATE audit_log SET action = 'nothing happened'`, 'DELETE FROM audit_log']) {
      const error = await failureOf(database.pool.query(statement));
      expect(error?.code, statement).to.equal('42501');
      expect(error?.message, statement).to.match(/audit_log is append-only/);
    }
    const { rows } = await database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'privileges.test'`,
    );
    expect(rows[0]!.n).to.equal(1);
  });

  it('leaves the role able to run Kerma: serve and ingest, new month partitions included', async () => {
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    // The harness brings its own database; this one serves on ours, as the service role.
    const web = await startWebHarness({ DATABASE_URL: url.toString(), KERMA_MIGRATE_ON_START: 'false' });
    try {
      const outcome = await web.kerma.ingest.ingestObject({
        bytes: buildCtRdsr(),
        transport: 'stow',
        sender: 'privileges-test',
        trustCode: 'DEFAULT',
      });
      expect(outcome.status).to.equal('stored');
      // A month no event has reached yet: the partition is made through the owner's function.
      await asApp.query(`SELECT kerma_ensure_event_partition('2031-03-05T10:00:00Z')`);
      const { rows } = await asApp.query<{ n: number }>('SELECT count(*)::int AS n FROM studies');
      expect(rows[0]!.n).to.equal(1);
    } finally {
      await web.stop();
    }
  });
});
