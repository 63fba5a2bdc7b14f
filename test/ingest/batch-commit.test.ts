import { expect } from 'chai';
import { prepareObject, type IngestOutcome } from '../../ingest/index.ts';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { petImageDataset } from '../support/fixtures/radiopharmaceutical-images.ts';
import { buildRrdsr } from '../support/fixtures/rrdsr.ts';
import {
  buildCtImage,
  buildDxImage,
  buildMgImage,
  buildPhilipsDoseScreen,
  mammographyRdsrDataset,
} from '../support/fixtures/dose-images.ts';
import { code, container, num, U } from '../support/fixtures/sr-builder.ts';
import {
  buildCtRdsr,
  buildProjectionRdsr,
  Codes,
  ctRdsrDataset,
  projectionRdsrDataset,
} from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The batch commit (the bulk importer's path) must leave exactly what committing the same objects
 * one by one, in the same order, leaves: same studies, events, reports, patients and outcomes.
 */
const request = { transport: 'file' as const, sender: 'test', trustCode: 'DEFAULT' };

/** A biplane fluoroscopy RDSR: plane A's accumulated row as usual, plus plane B's. */
function biplaneRdsr(studyInstanceUid: string): Uint8Array {
  const base = projectionRdsrDataset({ studyInstanceUid, events: 2, patientId: 'P-4' });
  const planeB = container(Codes.accumulatedXray, [
    code(Codes.acquisitionPlane, ['113621', 'DCM', 'Plane B']),
    num(Codes.dapTotal, 0.00031, U.GyM2),
    num(Codes.rpTotal, 0.0051, U.Gy),
  ]);
  return writePart10({ ...base, ContentSequence: [...(base.ContentSequence as unknown[]), planeB] });
}

/** Two reports restating one CT event at times that name one instant in Europe/London (01:30 GMT
 *  does not exist on 31 March 2024 and reads as 02:30 BST): the second insert meets the first. */
function sameInstantReports(studyInstanceUid: string): Uint8Array[] {
  return ['013000', '023000'].map((time) =>
    writePart10({ ...ctRdsrDataset({ studyInstanceUid, events: 1, studyDate: '20240331' }), StudyTime: time }),
  );
}

/** A realistic mix: cumulative CT RDSRs of one study (incl. in one batch), re-sends, shared patients,
 *  projection RDSRs (one biplane), an RRDSR with PET images of its study, a broken file, and exams
 *  sent by several sources (DX, MG and CT image headers, a dose screen, their RDSRs, either order). */
function mixedObjects(): Uint8Array[] {
  const cumulative = newUid();
  const later = newUid();
  const [dx, mg, ct, screenOnly, biplane, instant] = [newUid(), newUid(), newUid(), newUid(), newUid(), newUid()];
  const [ctSeries, screenSeries] = [newUid(), newUid()];
  const repeated = buildCtRdsr({ events: 1, patientId: 'P-REPEAT' });
  return [
    buildCtRdsr({ studyInstanceUid: cumulative, events: 1, patientId: 'P-1' }),
    buildDxImage({ studyInstanceUid: dx, time: '102010', patientId: 'P-5' }),
    buildMgImage({ studyInstanceUid: mg, time: '102010', patientId: 'P-6' }),
    buildCtRdsr({ studyInstanceUid: cumulative, events: 2, patientId: 'P-1' }),
    buildProjectionRdsr({ events: 3, patientId: 'P-1' }),
    buildDxImage({ studyInstanceUid: dx, time: '102011', patientId: 'P-5' }),
    writePart10(mammographyRdsrDataset({ studyInstanceUid: mg, events: 2, agdLeftMgy: 2.5, patientId: 'P-6' })),
    repeated,
    buildCtImage({ studyInstanceUid: ct, seriesInstanceUid: ctSeries, patientId: 'P-7' }),
    buildCtRdsr({ events: 2, patientId: 'P-2', studyDate: '20231130' }),
    repeated,
    buildCtRdsr({ studyInstanceUid: ct, events: 2, patientId: 'P-7' }),
    buildMgImage({ studyInstanceUid: mg, time: '102011', laterality: 'R', patientId: 'P-6' }),
    buildPhilipsDoseScreen({ studyInstanceUid: ct, dlpMgyCm: [310.5, 310.5], patientId: 'P-7' }),
    buildCtRdsr({ studyInstanceUid: cumulative, events: 3, patientId: 'P-1' }),
    writePart10(petImageDataset()),
    buildCtImage({ studyInstanceUid: screenOnly, seriesInstanceUid: screenSeries, patientId: 'P-8' }),
    buildRrdsr(),
    buildPhilipsDoseScreen({ studyInstanceUid: screenOnly, dlpMgyCm: [100, 200], patientId: 'P-8' }),
    buildCtRdsr({ events: 1 }).subarray(0, 300),
    buildProjectionRdsr({ studyInstanceUid: dx, events: 2, patientId: 'P-5' }),
    buildCtRdsr({ studyInstanceUid: later, events: 2, patientId: 'P-3' }),
    biplaneRdsr(biplane),
    ...sameInstantReports(instant),
    buildDxImage({ studyInstanceUid: dx, time: '102012', patientId: 'P-5' }),
    buildProjectionRdsr({ events: 1, patientId: 'P-3', studyInstanceUid: later }),
  ];
}

/** The database's content without its surrogate keys, for comparing two databases. */
async function snapshot(db: TestDatabase): Promise<Record<string, unknown[]>> {
  const q = async (text: string): Promise<unknown[]> => (await db.pool.query<Record<string, unknown>>(text)).rows;
  return {
    sources: await q(`SELECT s.sop_instance_uid, s.status, s.sha256, st.study_instance_uid
                      FROM source_objects s LEFT JOIN studies st USING (study_id) ORDER BY sop_instance_uid`),
    studies: await q(`SELECT study_instance_uid, modality, modalities, study_datetime, accession_hash, event_count,
                             (SELECT count(*)::int FROM irradiation_events e WHERE e.study_id = studies.study_id)
                               AS stored_events,
                             total_dlp_mgycm, total_dap_gycm2, total_dap_plane_a_gycm2, total_dap_plane_b_gycm2,
                             total_dose_rp_gy, total_agd_left_mgy, total_agd_right_mgy, total_agd_mgy,
                             total_activity_mbq, not_patient, study_description, requested_procedure, procedure_code,
                             patient_age_years, patient_weight_kg, patient_height_m,
                             (SELECT fingerprint FROM devices d WHERE d.device_id = studies.device_id) AS device,
                             (SELECT array_agg(i.identifier_hash ORDER BY i.identifier_hash)
                              FROM patient_identifiers i WHERE i.patient_id = studies.patient_id) AS patient_keys
                      FROM studies ORDER BY study_instance_uid`),
    events: await q(`SELECT st.study_instance_uid, e.irradiation_event_uid, e.occurred_at, s.sop_instance_uid,
                            e.modality, e.event_kind, e.acquisition_protocol, e.target_region, e.ctdivol_mgy,
                            e.dlp_mgycm, e.dap_gycm2, e.dose_rp_gy, e.agd_mgy, e.administered_activity_mbq,
                            e.source_kind, e.details, d.fingerprint AS device
                     FROM irradiation_events e JOIN studies st USING (study_id)
                     JOIN source_objects s ON s.source_object_id = e.source_object_id
                     LEFT JOIN devices d ON d.device_id = e.device_id
                     ORDER BY 1, 2, 3`),
    devices: await q(`SELECT d.fingerprint, t.code AS trust, d.manufacturer, d.model_name, d.station_name,
                             d.serial_number, d.software_versions, d.device_observer_uid, d.institution_name,
                             d.department_name, d.room_name
                      FROM devices d JOIN trusts t USING (trust_id) ORDER BY d.fingerprint`),
    reports: await q(`SELECT st.study_instance_uid, s.sop_instance_uid, r.source_kind, r.event_uids, r.summary
                      FROM study_reports r JOIN studies st USING (study_id)
                      JOIN source_objects s ON s.source_object_id = r.source_object_id ORDER BY 2`),
    patients: await q('SELECT count(*)::int AS n FROM patients'),
    quarantine: await q('SELECT sha256, reason_code FROM quarantine ORDER BY sha256'),
  };
}

/** Outcomes without database ids (they differ between two databases). */
function comparable(outcome: IngestOutcome | Error): unknown {
  if (outcome instanceof Error) return { error: outcome.message };
  const { status, sopInstanceUid } = outcome;
  return outcome.status === 'stored'
    ? { status, sopInstanceUid, eventsAdded: outcome.eventsAdded }
    : { status, sopInstanceUid };
}

describe('batch commit', () => {
  const databases: TestDatabase[] = [];
  const database = async (): Promise<TestDatabase> => {
    const db = await freshDatabase();
    databases.push(db);
    return db;
  };
  after(() => Promise.all(databases.map((db) => db.drop())));

  async function commitOneByOne(db: TestDatabase, objects: readonly Uint8Array[]) {
    const { service } = testIngestService(db);
    const outcomes: IngestOutcome[] = [];
    for (const bytes of objects) outcomes.push(await service.ingestObject({ ...request, bytes }));
    return outcomes;
  }

  async function commitInBatches(db: TestDatabase, objects: readonly Uint8Array[], batchSize: number) {
    const { service, dataDir } = testIngestService(db);
    const { createObjectStore } = await import('../../ingest/index.ts');
    const store = createObjectStore(dataDir);
    const items = await Promise.all(
      objects.map(async (bytes) => {
        const prepared = prepareObject(bytes);
        return { request, prepared, storagePath: await store.put(prepared.sha256, bytes) };
      }),
    );
    const outcomes: Array<IngestOutcome | Error> = [];
    for (let i = 0; i < items.length; i += batchSize)
      outcomes.push(...(await service.commitPreparedBatch(items.slice(i, i + batchSize))));
    return outcomes;
  }

  for (const batchSize of [objectsCount(), 5, 2]) {
    it(`leaves what one-by-one commits leave (batches of ${batchSize})`, async () => {
      const objects = mixedObjects();
      const [single, batched] = [await database(), await database()];
      const expected = await commitOneByOne(single, objects);
      const actual = await commitInBatches(batched, objects, batchSize);
      expect(actual.map(comparable)).to.deep.equal(expected.map(comparable));
      expect(expected.map((o) => o.status)).to.include.members(['stored', 'duplicate', 'quarantined']);
      const [want, got] = [await snapshot(single), await snapshot(batched)];
      for (const table of Object.keys(want)) expect(got[table], table).to.deep.equal(want[table]);
      // The mix exercises what it claims to: a cumulative study (three reports, three events), a plane-B
      // DAP, AGD per breast, every source kind, and outranked sources recorded without events.
      type Study = {
        event_count: number;
        stored_events: number;
        total_dap_plane_b_gycm2: number | null;
        total_agd_left_mgy: number | null;
      };
      const studies = want.studies as Study[];
      expect(studies.filter((s) => s.event_count === 3)).to.have.length.greaterThan(0);
      expect(studies.every((s) => s.event_count === s.stored_events)).to.equal(true);
      expect(studies.filter((s) => s.total_dap_plane_b_gycm2 !== null)).to.have.length(1);
      expect(studies.filter((s) => s.total_agd_left_mgy !== null)).to.have.length.greaterThan(0);
      const kinds = new Set((want.reports as Array<{ source_kind: string }>).map((r) => r.source_kind));
      expect([...kinds].sort()).to.deep.equal([
        'ct-image',
        'ct-rdsr',
        'dx-image',
        'mg-image',
        'pet-image',
        'philips-ct-dose-sc',
        'projection-rdsr',
        'radiopharmaceutical-rdsr',
      ]);
      const eventKinds = new Set((want.events as Array<{ source_kind: string }>).map((e) => e.source_kind));
      expect(eventKinds).to.not.include('dx-image').and.not.include('mg-image').and.not.include('pet-image');
      expect((want.devices as unknown[]).length).to.be.greaterThan(1);
    });
  }

  it('commits the others when one object breaks the batch, and reports that one as failed', async () => {
    const db = await database();
    const { service } = testIngestService(db);
    const good = [buildCtRdsr({ events: 2 }), buildProjectionRdsr({ events: 1 })].map((bytes) => ({
      request,
      prepared: prepareObject(bytes),
      storagePath: 'objects/test',
    }));
    // A size the ledger's CHECK constraint refuses: only this object can fail.
    const bad = { ...good[0]!, prepared: { ...prepareObject(buildCtRdsr()), byteSize: -1 } };
    const results = await service.commitPreparedBatch([good[0]!, bad, good[1]!]);
    expect(results[0]).to.include({ status: 'stored' });
    expect(results[1]).to.be.instanceOf(Error);
    expect(results[2]).to.include({ status: 'stored' });
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM source_objects');
    expect(rows[0]?.n).to.equal(2);
  });

  it('concurrent batches of one study and one new patient make one study and one patient', async () => {
    const db = await database();
    const { service } = testIngestService(db);
    const study = newUid();
    const prepare = (events: number) => ({
      request,
      prepared: prepareObject(buildCtRdsr({ studyInstanceUid: study, events, patientId: 'P-CONCURRENT' })),
      storagePath: 'objects/test',
    });
    const batches = [
      [prepare(1), prepare(2)],
      [prepare(3), prepare(4)],
      [prepare(5), prepare(6)],
    ];
    const results = (await Promise.all(batches.map((b) => service.commitPreparedBatch(b)))).flat();
    expect(results.every((r) => !(r instanceof Error) && r.status === 'stored')).to.equal(true);
    const counts = await db.pool.query<{ studies: number; patients: number; events: number; event_count: number }>(
      `SELECT (SELECT count(*)::int FROM studies) AS studies, (SELECT count(*)::int FROM patients) AS patients,
              (SELECT count(*)::int FROM irradiation_events) AS events, (SELECT event_count FROM studies) AS event_count`,
    );
    expect(counts.rows[0]).to.deep.equal({ studies: 1, patients: 1, events: 6, event_count: 6 });
  });
});

function objectsCount(): number {
  return mixedObjects().length;
}
