import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { createObjectStore, prepareObject } from '../../ingest/index.ts';
import { directLoad } from '../../synthetic/direct-load.ts';
import { createExamStream } from '../../synthetic/exams.ts';
import { buildRegionModel } from '../../synthetic/model.ts';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { buildCtRdsr, ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Studies are mapped where they are stored: in the ingest transaction (one object, or a batch of the
 * bulk importer) and by the synthetic direct loader, with the default rules of migration 0017.
 */
describe('procedure mapping where studies are stored', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  const request = { transport: 'file' as const, sender: 'mapping-test', trustCode: 'DEFAULT' };

  before(async () => {
    database = await freshDatabase();
  });
  after(async () => {
    await database?.drop();
  });

  async function mappingOf(studyInstanceUid: string): Promise<string | null | undefined> {
    const { rows } = await database.pool.query<{ code: string | null }>(
      'SELECT standard_procedure_code AS code FROM studies WHERE study_instance_uid = $1',
      [studyInstanceUid],
    );
    return rows[0]?.code;
  }

  it('maps a stored study in the commit that stores it, and again when a later report changes what the rules read', async () => {
    const { service, dataDir } = testIngestService(database);
    try {
      const described = ctRdsrDataset({ studyInstanceUid: '2.25.7001' });
      await service.ingestObject({ ...request, bytes: writePart10({ ...described, StudyDescription: 'CT Head' }) });
      expect(await mappingOf('2.25.7001')).to.equal('CT-HEAD');
      // No description, events targeting the chest: no default rule decides.
      await service.ingestObject({ ...request, bytes: buildCtRdsr({ studyInstanceUid: '2.25.7002' }) });
      expect(await mappingOf('2.25.7002')).to.equal(null);
      // A later cumulative report of the study adds an event whose protocol says retrospective gating.
      await service.ingestObject({
        ...request,
        bytes: buildCtRdsr({ studyInstanceUid: '2.25.7002', events: 3, protocol: 'Cardiac retrospective' }),
      });
      expect(await mappingOf('2.25.7002')).to.equal('CT-CTCA-RG');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('maps every study of a bulk import batch in the batch transaction', async () => {
    const { service, dataDir } = testIngestService(database);
    try {
      const store = createObjectStore(dataDir);
      const files = [
        ['2.25.7101', 'CT Chest abdomen and pelvis'],
        ['2.25.7102', 'CTPA'],
        ['2.25.7103', 'Something unknown'],
      ].map(([uid, description]) =>
        writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), StudyDescription: description }),
      );
      const items = await Promise.all(
        files.map(async (bytes) => {
          const prepared = prepareObject(bytes);
          return { request, prepared, storagePath: await store.put(prepared.sha256, bytes) };
        }),
      );
      const outcomes = await service.commitPreparedBatch(items);
      expect(outcomes.map((o) => (o instanceof Error ? o.message : o.status))).to.deep.equal([
        'stored',
        'stored',
        'stored',
      ]);
      expect([await mappingOf('2.25.7101'), await mappingOf('2.25.7102'), await mappingOf('2.25.7103')]).to.deep.equal([
        'CT-CAP',
        'CT-CTPA',
        null,
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('maps every study the synthetic direct loader writes', async () => {
    const direct = await freshDatabase();
    try {
      const model = buildRegionModel({ seed: 31, exams: 300, trusts: 2, years: 1, start: '2025-01-01' });
      await directLoad(model, createExamStream(model), {
        pool: direct.pool,
        patientIdSecret: 'mapping-test-secret-0123456789',
        batchExams: 120,
      });
      const { rows } = await direct.pool.query<{ studies: number; mapped: number }>(
        'SELECT count(*)::int AS studies, count(standard_procedure_code)::int AS mapped FROM studies',
      );
      expect(rows[0]).to.deep.equal({ studies: 300, mapped: 300 });
    } finally {
      await direct.drop();
    }
  });
});
