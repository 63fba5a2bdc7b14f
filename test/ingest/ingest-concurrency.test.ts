import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { queryRunner, withTransaction } from '../../app/db/pool.ts';
import type { QueryRunner } from '../../core/index.ts';
import { createIngestService, createObjectStore } from '../../ingest/index.ts';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { buildDxImage } from '../support/fixtures/dose-images.ts';
import { buildCtRdsr, buildProjectionRdsr, ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { recordingLogger } from '../support/logger.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Ingest against a second writer on the real PostgreSQL: transactions interleaved on purpose (a
 * transaction runner that lets another ingest run at a chosen point) and many ingests at once.
 */
const request = { transport: 'file' as const, sender: 'test', trustCode: 'DEFAULT' };

type Around = <T>(db: QueryRunner, work: (db: QueryRunner) => Promise<T>) => Promise<T>;

const newObjectsDir = (): string => mkdtempSync(path.join(tmpdir(), 'kerma-objects-'));

/** The real ingest service whose transactions run through `around` (which calls the work). */
function serviceWithTransactions(db: TestDatabase, around: Around, objectsDir = newObjectsDir()) {
  return createIngestService({
    transaction: (work) => withTransaction(db.pool, (runner) => around(runner, work)),
    db: queryRunner(db.pool),
    objects: createObjectStore(objectsDir),
    logger: recordingLogger(),
    patientIdSecret: 'test-secret-'.repeat(4),
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: [], names: [] },
  });
}

/** Resolves once another session of this database waits for a lock (our open transaction's rows). */
async function someoneWaitsForALock(db: TestDatabase): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no session waited for a lock within 10 s');
}

async function studyOf(db: TestDatabase, studyInstanceUid: string) {
  const { rows } = await db.pool.query<{
    study_id: number;
    event_count: number;
    stored_events: number;
    total_dlp_mgycm: number | null;
    total_dap_gycm2: number | null;
  }>(
    `SELECT study_id, event_count, total_dlp_mgycm, total_dap_gycm2,
            (SELECT count(*)::int FROM irradiation_events e WHERE e.study_id = s.study_id) AS stored_events
     FROM studies s WHERE study_instance_uid = $1`,
    [studyInstanceUid],
  );
  if (!rows[0]) throw new Error(`no study ${studyInstanceUid}`);
  return rows[0];
}

describe('ingest against concurrent writers', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(() => db.drop());

  it('reprocessing a study keeps the events of an object merged while it was re-extracting', async () => {
    const study = newUid();
    let interleave: (() => Promise<unknown>) | undefined;
    const objectsDir = newObjectsDir();
    const service = serviceWithTransactions(
      db,
      async (runner, work) => {
        const other = interleave;
        interleave = undefined;
        // Another instance merges an object into the study after the reprocess read its objects.
        if (other) await other();
        return work(runner);
      },
      objectsDir,
    );
    await service.ingestObject({ ...request, bytes: buildCtRdsr({ studyInstanceUid: study, events: 2 }) });
    const { study_id: studyId } = await studyOf(db, study);
    const elsewhere = serviceWithTransactions(db, (runner, work) => work(runner), objectsDir);
    interleave = () =>
      elsewhere.ingestObject({ ...request, bytes: buildProjectionRdsr({ studyInstanceUid: study, events: 2 }) });
    const result = await service.reprocessStudy(studyId);
    expect(result).to.deep.equal({ reports: 2, events: 4 });
    const after = await studyOf(db, study);
    expect(after).to.deep.include({ event_count: 4, stored_events: 4, total_dlp_mgycm: 621 });
    expect(after.total_dap_gycm2).to.be.closeTo(2.4, 1e-9);
  });

  it('never gives a concurrent ingest the id of a device whose transaction rolled back', async () => {
    let ready: () => void = () => undefined;
    const firstHoldsDevice = new Promise<void>((resolve) => (ready = resolve));
    let failFirst = true;
    const service = serviceWithTransactions(db, async (runner, work) => {
      const result = await work(runner);
      if (!failFirst) return result;
      failFirst = false;
      // The device row exists only in this open transaction: let the second ingest reach it, then roll back.
      ready();
      await someoneWaitsForALock(db);
      throw new Error('rolled back on purpose');
    });
    const room = (studyInstanceUid: string) =>
      writePart10({ ...ctRdsrDataset({ studyInstanceUid, events: 1 }), StationName: 'ROOM-ROLLBACK' });
    const first = service.ingestObject({ ...request, bytes: room(newUid()) });
    const firstFailed = first.then(
      () => 'stored',
      (error: Error) => error.message,
    );
    await firstHoldsDevice;
    const second = await service.ingestObject({ ...request, bytes: room(newUid()) });
    expect(await firstFailed).to.equal('rolled back on purpose');
    expect(second.status).to.equal('stored');
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM studies s JOIN devices d USING (device_id) WHERE d.station_name = 'ROOM-ROLLBACK'`,
    );
    expect(rows[0]?.n).to.equal(1);
    // And the cache holds the committed row: a third object of the room lands on it.
    const third = await service.ingestObject({ ...request, bytes: room(newUid()) });
    expect(third.status).to.equal('stored');
  });

  it('many ingests of one exam at once, from an RDSR and image headers, leave the RDSR totals', async () => {
    const study = newUid();
    const { service } = testIngestService(db);
    const { service: other } = testIngestService(db);
    const images = Array.from({ length: 8 }, (_, i) =>
      buildDxImage({ studyInstanceUid: study, time: `1020${String(10 + i)}`, dapDgyCm2: 3 }),
    );
    const rdsr = buildProjectionRdsr({ studyInstanceUid: study, events: 2 });
    const objects = [...images.slice(0, 4), rdsr, ...images.slice(4)];
    // The month's event partition first: its creation by concurrent first ingests is not what this tests.
    await service.ingestObject({ ...request, bytes: buildCtRdsr({ studyDate: '20240301' }) });
    const outcomes = await Promise.all(
      objects.map((bytes, i) => (i % 2 === 0 ? service : other).ingestObject({ ...request, bytes })),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(objects.map(() => 'stored'));
    const state = await studyOf(db, study);
    expect(state).to.deep.include({ event_count: 2, stored_events: 2 });
    expect(state.total_dap_gycm2).to.be.closeTo(2.4, 1e-9);
  });
});
