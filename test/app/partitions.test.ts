import { expect } from 'chai';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Month partitions of the plain flavour (migrations 0005, 0007): callers that ask for one new month
 * at the same moment all succeed, and one partition exists afterwards. Each caller has warmed its
 * catalog cache with "no such partition" first, as an ingest does when it checks before locking.
 */
describe('event partitions (plain flavour)', function () {
  let db: TestDatabase;
  const clients: pg.Client[] = [];

  before(async function () {
    if (process.env.KERMA_TEST_FLAVOUR !== 'plain') this.skip(); // TimescaleDB makes its chunks itself
    db = await freshDatabase();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await db?.drop();
  });

  it('lets several first callers of one month create it once, without 42P07', async () => {
    for (let i = 0; i < 6; i += 1) {
      const client = new pg.Client({ connectionString: db.url });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
    }
    const month = 'irradiation_events_y2031m03';
    // Each connection caches the partition's absence, then all wait behind one holder of the lock.
    for (const c of clients) await c.query('SELECT to_regclass($1)', [month]);
    const holder = clients[0]!;
    await holder.query('BEGIN');
    await holder.query("SELECT pg_advisory_xact_lock(hashtext('kerma_event_partitions'))");
    const callers = clients
      .slice(1)
      .map((c) => c.query("SELECT kerma_ensure_event_partition('2031-03-15T12:00:00Z')").then(() => 'ok'));
    await holder.query("SELECT kerma_ensure_event_partition('2031-03-10T00:00:00Z')");
    await holder.query('COMMIT');
    const results = await Promise.allSettled(callers);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).to.deep.equal(
      Array(5).fill('ok'),
    );
    const { rows } = await holder.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'irradiation_events_y2031m03'",
    );
    expect(rows[0]!.n).to.equal(1);
  });
});
