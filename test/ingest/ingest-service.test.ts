import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createPool, queryRunner, withTransaction } from '../../app/db/pool.ts';
import { UnavailableError } from '../../core/index.ts';
import { createIngestService, createObjectStore, listenStudyUpdates } from '../../ingest/index.ts';
import { writePart10, newUid } from '../support/fixtures/dicom-writer.ts';
import { buildCtRdsr, ctRdsrDataset, buildProjectionRdsr } from '../support/fixtures/xray-rdsr.ts';
import { codeItem } from '../support/fixtures/sr-builder.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { startCuttingProxy, type CuttingProxy } from '../support/cutting-proxy.ts';
import { recordingLogger, silentLogger } from '../support/logger.ts';
import { rowCounts } from '../support/row-counts.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

const request = (bytes: Uint8Array, trustCode = 'DEFAULT') => ({
  bytes,
  transport: 'file' as const,
  sender: 'test',
  trustCode,
});

async function count(db: TestDatabase, table: string, where = 'true'): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return rows[0]?.n ?? -1;
}

/** A cumulative CT RDSR after `events` exposures: each report restates the earlier events (same UIDs). */
function cumulativeCt(studyInstanceUid: string, events: number): Uint8Array {
  return buildCtRdsr({ studyInstanceUid, events });
}

/**
 * The real ingest use case reaching `db` through `proxy`, which can drop the database; `db.pool`
 * still reads the same database directly. The caller ends the returned pool.
 */
function serviceThrough(proxy: CuttingProxy, db: TestDatabase, onStudyUpdated?: (e: { studyId: number }) => void) {
  const pool = createPool({ url: proxy.url, max: 2, connectTimeoutMs: 2000, logger: silentLogger });
  const service = createIngestService({
    transaction: (work) => withTransaction(pool, work),
    db: queryRunner(pool),
    objects: createObjectStore(testIngestService(db).dataDir),
    logger: recordingLogger(),
    patientIdSecret: 'x'.repeat(32),
    timeZone: 'Europe/London',
    notPatientPatterns: { ids: [], names: [] },
    ...(onStudyUpdated ? { onStudyUpdated } : {}),
  });
  return { service, pool };
}

describe('ingest use case', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
  });
  after(async () => db.drop());

  it('stores a report, keeps its bytes, and answers a re-send as a duplicate', async () => {
    const { service, dataDir } = testIngestService(db);
    const bytes = buildCtRdsr({ events: 2 });
    const first = await service.ingestObject(request(bytes));
    expect(first.status).to.equal('stored');
    if (first.status !== 'stored') return;
    expect(first.eventsAdded).to.equal(2);
    const again = await service.ingestObject(request(bytes));
    expect(again).to.deep.include({ status: 'duplicate', sopInstanceUid: first.sopInstanceUid });
    const { rows } = await db.pool.query<{ storage_path: string; status: string }>(
      'SELECT storage_path, status FROM source_objects WHERE source_object_id = $1',
      [first.sourceObjectId],
    );
    expect(rows[0]?.status).to.equal('extracted');
    expect(readFileSync(path.join(dataDir, rows[0]!.storage_path)).equals(Buffer.from(bytes))).to.equal(true);
    const study = await db.pool.query('SELECT event_count, total_dlp_mgycm FROM studies WHERE study_id = $1', [
      first.studyId,
    ]);
    expect(study.rows[0]).to.deep.equal({ event_count: 2, total_dlp_mgycm: 621 });
  });

  it('merges cumulative RDSRs by Irradiation Event UID, totals from the latest report', async () => {
    const { service } = testIngestService(db);
    const uid = newUid();
    for (const events of [1, 2, 3, 1]) await service.ingestObject(request(cumulativeCt(uid, events)));
    const { rows } = await db.pool.query(
      'SELECT study_id, event_count, total_dlp_mgycm FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ event_count: 3, total_dlp_mgycm: 931.5 });
    expect(await count(db, 'irradiation_events', `study_id = ${(rows[0] as { study_id: number }).study_id}`)).to.equal(
      3,
    );
  });

  it('rebuilds a study from its stored bytes when reprocessed, with the same result', async () => {
    const { service } = testIngestService(db);
    const uid = newUid();
    for (const events of [1, 2]) await service.ingestObject(request(cumulativeCt(uid, events)));
    const before = await db.pool.query(
      'SELECT study_id, event_count, total_dlp_mgycm FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    const studyId = (before.rows[0] as { study_id: number }).study_id;
    await db.pool.query('UPDATE studies SET total_dlp_mgycm = NULL WHERE study_id = $1', [studyId]);
    expect(await service.reprocessStudy(studyId)).to.deep.equal({ reports: 2, events: 2 });
    const after = await db.pool.query(
      'SELECT study_id, event_count, total_dlp_mgycm FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    expect(after.rows).to.deep.equal(before.rows);
  });

  it('assembles a continued study (disjoint events) into one study whose totals add up', async () => {
    const { service } = testIngestService(db);
    const uid = newUid();
    const part = (firstUid: number) => {
      const dataset = ctRdsrDataset({ studyInstanceUid: uid, events: 2 });
      const json = JSON.stringify(dataset).replaceAll('2.25.1000', `2.25.${firstUid}000`);
      return writePart10(JSON.parse(json) as typeof dataset);
    };
    await service.ingestObject(request(part(7)));
    await service.ingestObject(request(part(8)));
    const { rows } = await db.pool.query(
      'SELECT event_count, total_dlp_mgycm FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    expect(rows).to.deep.equal([{ event_count: 4, total_dlp_mgycm: 1242 }]);
  });

  it('quarantines a broken object with its reason, once, and keeps its bytes', async () => {
    const { service, dataDir } = testIngestService(db);
    const broken = buildCtRdsr().subarray(0, 700);
    const outcome = await service.ingestObject(request(broken));
    expect(outcome.status).to.equal('quarantined');
    if (outcome.status !== 'quarantined') return;
    expect(outcome.reason).to.be.a('string').and.not.equal('');
    const again = await service.ingestObject(request(broken));
    expect(again).to.deep.include({ status: 'quarantined', quarantineId: outcome.quarantineId });
    const { rows } = await db.pool.query<{ storage_path: string }>(
      'SELECT storage_path FROM quarantine WHERE quarantine_id = $1',
      [outcome.quarantineId],
    );
    expect(existsSync(path.join(dataDir, rows[0]!.storage_path))).to.equal(true);
  });

  it('records a valid SR that is not a dose report without quarantining it', async () => {
    const { service } = testIngestService(db);
    const sop = newUid();
    const dataset = {
      ...ctRdsrDataset({ sopInstanceUid: sop }),
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.22',
      ConceptNameCodeSequence: [codeItem(['18748-4', 'LN', 'Diagnostic Imaging Report'])],
    };
    const outcome = await service.ingestObject(request(writePart10(dataset)));
    expect(outcome).to.deep.include({ status: 'not_dose', sopInstanceUid: sop });
    const recorded = await db.pool.query(
      `SELECT (SELECT array_agg(status) FROM source_objects WHERE sop_instance_uid = $1) AS ledger,
              (SELECT count(*)::int FROM quarantine WHERE sop_instance_uid = $1) AS quarantined`,
      [sop],
    );
    expect(recorded.rows[0]).to.deep.equal({ ledger: ['not_dose'], quarantined: 0 });
  });

  it('links one patient across trusts by NHS number, never storing it in clear', async () => {
    await db.pool.query(`INSERT INTO trusts (code, name, nhs_number_source) VALUES ('TA', 'Trust A', 'patient_id')`);
    await db.pool.query(
      `INSERT INTO trusts (code, name, nhs_number_source, nhs_number_issuer) VALUES ('TB', 'Trust B', 'other_patient_ids', 'NHS')`,
    );
    const { service } = testIngestService(db);
    const nhs = '9434765919';
    const a = await service.ingestObject(request(buildCtRdsr({ patientId: nhs }), 'TA'));
    const dataset = {
      ...ctRdsrDataset({ patientId: 'MRN77' }),
      OtherPatientIDsSequence: [{ PatientID: nhs, IssuerOfPatientID: 'NHS' }],
    };
    const b = await service.ingestObject(request(writePart10(dataset), 'TB'));
    if (a.status !== 'stored' || b.status !== 'stored') throw new Error('both must be stored');
    const { rows } = await db.pool.query('SELECT patient_id FROM studies WHERE study_id = ANY($1::bigint[])', [
      [a.studyId, b.studyId],
    ]);
    expect(new Set(rows.map((r: { patient_id: number }) => r.patient_id)).size).to.equal(1);
    const dump = JSON.stringify((await db.pool.query('SELECT * FROM patient_identifiers')).rows);
    expect(dump).not.to.include(nhs);
    expect(dump).not.to.include('MRN77');
  });

  it('never duplicates a study or its events when reports of one study arrive together', async () => {
    const { service } = testIngestService(db);
    const uid = newUid();
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => service.ingestObject(request(cumulativeCt(uid, n)))));
    expect(outcomes.every((o) => o.status === 'stored')).to.equal(true);
    const { rows } = await db.pool.query(
      'SELECT study_id, event_count, total_dlp_mgycm FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ event_count: 5, total_dlp_mgycm: 1552.5 });
  });

  it('ingests one new patient from one room at two trusts concurrently without deadlock', async () => {
    await db.pool.query(
      `INSERT INTO trusts (code, name, nhs_number_source) VALUES ('TC', 'Trust C', 'patient_id'), ('TD', 'Trust D', 'patient_id')`,
    );
    // Two instances: one has already seen the room (its device id cached), the other has not.
    const warm = testIngestService(db).service;
    const cold = testIngestService(db).service;
    await warm.ingestObject(request(buildCtRdsr({ patientId: 'WARMUP' }), 'TC'));
    for (const nhs of ['9990000018', '9990000026', '9990000034']) {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? cold : warm).ingestObject(request(buildCtRdsr({ patientId: nhs }), i % 4 < 2 ? 'TC' : 'TD')),
        ),
      );
      expect(outcomes.map((o) => o.status)).to.deep.equal(Array(8).fill('stored'));
    }
    const { rows } = await db.pool.query<{ patients: number }>(
      `SELECT count(DISTINCT patient_id)::int AS patients FROM studies s JOIN trusts t USING (trust_id) WHERE t.code IN ('TC', 'TD')`,
    );
    expect(rows[0]?.patients).to.equal(4);
  });

  it('announces each stored study, after its commit', async () => {
    const seen: number[] = [];
    const { service } = testIngestService(db, { onStudyUpdated: (e) => seen.push(e.studyId) });
    const outcome = await service.ingestObject(request(buildProjectionRdsr()));
    if (outcome.status !== 'stored') throw new Error('expected stored');
    expect(seen).to.deep.equal([outcome.studyId]);
    // A transaction whose COMMIT is lost announces nothing.
    const proxy = await startCuttingProxy(db.url);
    const { service: lossy, pool } = serviceThrough(proxy, db, (e) => seen.push(e.studyId));
    try {
      proxy.cutAt('COMMIT');
      const lost = await lossy.ingestObject(request(buildProjectionRdsr())).catch((e: unknown) => e);
      expect(proxy.cuts, 'the connection was dropped at the COMMIT').to.equal(1);
      expect(lost).to.be.instanceOf(UnavailableError);
      expect(seen).to.deep.equal([outcome.studyId]);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });

  it('tells every listening instance about a stored study, at commit', async () => {
    const received: Array<{ studyId: number }> = [];
    let resolveFirst: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (resolveFirst = resolve));
    const listener = await listenStudyUpdates(
      db.url,
      (event) => {
        received.push(event);
        resolveFirst();
      },
      recordingLogger(),
    );
    try {
      const { service } = testIngestService(db);
      const outcome = await service.ingestObject(request(buildCtRdsr()));
      if (outcome.status !== 'stored') throw new Error('expected stored');
      await first;
      expect(received[0]).to.deep.include({ studyId: outcome.studyId, studyInstanceUid: outcome.studyInstanceUid });
    } finally {
      await listener.close();
    }
  });

  it('throws UnavailableError, recording nothing, when the database is lost mid-transaction or cannot be reached', async () => {
    const proxy = await startCuttingProxy(db.url);
    const { service, pool } = serviceThrough(proxy, db);
    try {
      const bytes = buildCtRdsr({ events: 2 });
      const before = await rowCounts(db.pool);

      // Lost at COMMIT: every statement of the ingest transaction has run on the server.
      proxy.cutAt('COMMIT');
      const lost = await service.ingestObject(request(bytes)).catch((e: unknown) => e);
      expect(proxy.cuts, 'the connection was dropped at the COMMIT').to.equal(1);
      expect(lost).to.be.instanceOf(UnavailableError);
      // Still down: no connection at all.
      const refused = await service.ingestObject(request(bytes)).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(UnavailableError);
      expect(await rowCounts(db.pool)).to.deep.equal(before);

      // Back again: the re-sent object is new to the database, not a duplicate of a half-kept one.
      proxy.restore();
      const resent = await service.ingestObject(request(bytes));
      expect(resent.status).to.equal('stored');
      const after = await rowCounts(db.pool);
      expect([after.source_objects, after.studies, after.irradiation_events]).to.deep.equal([
        before.source_objects! + 1,
        before.studies! + 1,
        before.irradiation_events! + 2,
      ]);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});
