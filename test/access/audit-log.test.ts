import { expect } from 'chai';
import { recordAudit } from '../../access/index.ts';
import { queryRunner } from '../../app/db/pool.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

describe('audit log', () => {
  let database: TestDatabase;
  before(async () => {
    database = await freshDatabase();
  });
  after(async () => {
    await database.drop();
  });

  it('keeps what is appended, with who, what, where and which request', async () => {
    await recordAudit(queryRunner(database.pool), {
      actorKind: 'user',
      actorId: 7,
      actorName: 'alice',
      trustCode: 'DEFAULT',
      action: 'study.view',
      subjectKind: 'study',
      subjectKey: '1.2.826.0.1.3680043.2.1125.1',
      address: '192.0.2.4',
      requestId: 'req-1',
      detail: { page: 'study' },
    });
    const { rows } = await database.pool.query<Record<string, unknown>>('SELECT * FROM audit_log');
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ actor_kind: 'user', actor_name: 'alice', action: 'study.view', request_id: 'req-1' });
    expect(rows[0]!.detail).to.deep.equal({ page: 'study' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even for the table owner', async () => {
    for (const statement of [
      "UPDATE audit_log SET action = 'nothing happened'",
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
    ]) {
      const error = await database.pool.query(statement).then(
        () => undefined,
        (e: unknown) => e as { message: string; code: string },
      );
      expect(error, statement).to.not.equal(undefined);
      expect(error!.message, statement).to.match(/audit_log is append-only/);
      expect(error!.code).to.equal('42501');
    }
    const { rows } = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'study.view'",
    );
    expect(rows[0]!.n).to.equal(1);
  });
});
