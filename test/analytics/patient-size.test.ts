import { expect } from 'chai';
import { importPatientSizes, type PatientSizeImport, type PatientSizeResult } from '../../analytics/index.ts';
import { withTransaction } from '../../app/db/pool.ts';
import type { QueryRunner } from '../../core/index.ts';
import { newUid, writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The patient size import on a real store: studies ingested from RDSRs (the ingest use case hashes
 * their accession numbers), then RIS files applied through the use case the CLI, the page and the
 * API share. What the peer's scenarios check end to end is in test/conformance; this checks the
 * rules around it: trusts, re-imports, later reports, every row accounted for, the audit.
 */
const SECRET = 'test-secret-'.repeat(4);

interface StudySize {
  height: number | null;
  weight: number | null;
  heightSource: string | null;
  weightSource: string | null;
}

describe('patient size import (real PostgreSQL)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let ingest: ReturnType<typeof testIngestService>['service'];
  const uids: Record<string, string> = {};
  const ids: Record<string, number> = {};
  let trustIds: Record<string, number>;

  async function ingestStudy(name: string, trustCode: string, header: Record<string, unknown>, uid = newUid()) {
    uids[name] = uid;
    const outcome = await ingest.ingestObject({
      bytes: writePart10({ ...ctRdsrDataset({ studyInstanceUid: uid }), ...header }),
      transport: 'file',
      sender: 'patient-size-test',
      trustCode,
    });
    expect(outcome.status, name).to.equal('stored');
    const { rows } = await database.pool.query<{ study_id: string }>(
      'SELECT study_id FROM studies WHERE study_instance_uid = $1',
      [uid],
    );
    ids[name] = Number(rows[0]!.study_id);
  }

  async function sizeOf(name: string): Promise<StudySize> {
    const { rows } = await database.pool.query<StudySize>(
      `SELECT patient_height_m AS height, patient_weight_kg AS weight, patient_height_source AS "heightSource",
              patient_weight_source AS "weightSource" FROM studies WHERE study_id = $1`,
      [ids[name]],
    );
    return rows[0]!;
  }

  const run = (csv: string, options: Partial<PatientSizeImport> = {}): Promise<PatientSizeResult> =>
    importPatientSizes(
      { transaction: (work) => withTransaction(database.pool, work), patientIdSecret: SECRET },
      {
        file: Buffer.from(csv),
        mapping: { heightUnit: 'cm', header: true },
        trustCode: 'DEFAULT',
        scope: 'all',
        dryRun: false,
        actor: { actorKind: 'system', actorName: 'patient-size-test' },
        ...options,
      },
    );

  before(async () => {
    database = await freshDatabase();
    await database.pool.query(`INSERT INTO trusts (code, name) VALUES ('OTH', 'Other Trust')`);
    const { rows } = await database.pool.query<{ code: string; trust_id: string }>('SELECT code, trust_id FROM trusts');
    trustIds = Object.fromEntries(rows.map((r) => [r.code, Number(r.trust_id)]));
    ingest = testIngestService(database).service;
    await ingestStudy('weighed', 'DEFAULT', { AccessionNumber: 'ACC-SECRET-1', PatientWeight: '75' });
    await ingestStudy('bare', 'DEFAULT', { AccessionNumber: 'ACC-SECRET-2' });
    await ingestStudy('measured', 'DEFAULT', {
      AccessionNumber: 'ACC-SECRET-3',
      PatientSize: '1.86',
      PatientWeight: '87',
    });
    // The same accession number at another trust is another order.
    await ingestStudy('other-trust', 'OTH', { AccessionNumber: 'ACC-SECRET-1' });
    await ingestStudy('by-uid', 'DEFAULT', { AccessionNumber: '' });
  });
  after(async () => {
    await database?.drop();
  });

  it('fills only the missing sizes, in metres and kilograms, marked imported, and never a DICOM value', async () => {
    const csv = 'Accession,Height,Weight\nACC-SECRET-1,170,90\nACC-SECRET-2,165,80.6\nACC-SECRET-3,198,102.3\n';
    const result = await run(csv);
    expect(result).to.include({ rows: 3, applied: 2, unchanged: 1, heightsFilled: 2, weightsFilled: 1 });
    expect(result.problems).to.deep.equal([]);
    expect(result.studyIds).to.deep.equal([ids.weighed, ids.bare].sort((a, b) => a! - b!));
    expect(await sizeOf('weighed')).to.deep.equal({
      height: 1.7,
      weight: 75,
      heightSource: 'imported',
      weightSource: null,
    });
    expect(await sizeOf('bare')).to.deep.equal({
      height: 1.65,
      weight: 80.6,
      heightSource: 'imported',
      weightSource: 'imported',
    });
    expect(await sizeOf('measured')).to.deep.equal({
      height: 1.86,
      weight: 87,
      heightSource: null,
      weightSource: null,
    });
    // Trust DEFAULT's ACC-SECRET-1 is not trust OTH's.
    expect(await sizeOf('other-trust')).to.deep.equal({
      height: null,
      weight: null,
      heightSource: null,
      weightSource: null,
    });
  });

  it('changes nothing when the same file comes again', async () => {
    const before = await Promise.all(['weighed', 'bare', 'measured'].map(sizeOf));
    const again = await run(
      'Accession,Height,Weight\nACC-SECRET-1,170,90\nACC-SECRET-2,165,80.6\nACC-SECRET-3,198,102.3\n',
    );
    expect(again).to.include({ rows: 3, applied: 0, unchanged: 3, heightsFilled: 0, weightsFilled: 0 });
    expect(again.studyIds).to.deep.equal([]);
    expect(await Promise.all(['weighed', 'bare', 'measured'].map(sizeOf))).to.deep.equal(before);
  });

  it('keeps imported sizes when a later report of the study arrives, with or without a size of its own', async () => {
    const later = (header: Record<string, unknown>) =>
      ingest.ingestObject({
        bytes: writePart10({ ...ctRdsrDataset({ studyInstanceUid: uids.bare }), ...header }),
        transport: 'file',
        sender: 'patient-size-test',
        trustCode: 'DEFAULT',
      });
    expect((await later({ AccessionNumber: 'ACC-SECRET-2' })).status).to.equal('stored');
    expect((await later({ AccessionNumber: 'ACC-SECRET-2', PatientSize: '1.9', PatientWeight: '99' })).status).to.equal(
      'stored',
    );
    // The study's first values stay (ingest fills only empty columns), and say where they came from.
    expect(await sizeOf('bare')).to.deep.equal({
      height: 1.65,
      weight: 80.6,
      heightSource: 'imported',
      weightSource: 'imported',
    });
  });

  it('reports every row it does not apply with its row number and reason, and loses none', async () => {
    const csv = [
      'Accession,Height,Weight,Trust', // 1
      'ACC-UNKNOWN,170,80,', // 2: matches nothing
      'ACC-SECRET-2,170,,NOPE', // 3: no such trust
      'ACC-SECRET-2,17,80,', // 4: 0.17 m
      'ACC-SECRET-2,170,0.2,', // 5: 0.2 kg
      'ACC-SECRET-2,,,', // 6: nothing to import
      'ACC-SECRET-1,,60,OTH', // 7: fills the other trust's study
      'ACC-SECRET-1,,61,OTH', // 8: disagrees with row 7
    ].join('\n');
    const result = await run(csv);
    expect(result.problems).to.deep.equal([
      { row: 2, code: 'no-study', reason: 'no study matches' },
      { row: 3, code: 'unknown-trust', reason: "the trust code is not one of Kerma's trusts" },
      {
        row: 4,
        code: 'implausible-height',
        reason: 'the height 17 cm is outside 0.3–2.5 m (is the height unit right?)',
      },
      { row: 5, code: 'implausible-weight', reason: 'the weight 0.2 kg is outside 0.5–400 kg' },
      { row: 6, code: 'no-size', reason: 'neither a height nor a weight' },
      { row: 8, code: 'conflict', reason: 'row 7 of this file gives the same study a different size' },
    ]);
    expect(result.rows).to.equal(7);
    // Rows are named by number: the answer repeats no accession number and no trust it does not know.
    expect(JSON.stringify(result)).to.not.include('ACC-').and.not.include('NOPE');
    expect(result.applied + result.unchanged + result.problems.length).to.equal(result.rows);
    expect(result.studyIds).to.deep.equal([ids['other-trust']]);
    expect((await sizeOf('other-trust')).weight).to.equal(60);
  });

  it("keeps a user to their trusts: another trust's rows and studies are out of reach", async () => {
    const scoped = { scope: [trustIds.DEFAULT!] };
    const byTrust = await run('Accession,Weight,Trust\nACC-SECRET-1,55,OTH\n', scoped);
    expect(byTrust.problems).to.deep.equal([{ row: 2, code: 'trust-not-permitted', reason: 'trust OTH is not yours' }]);
    const byUid = await run(`Study Instance UID,Height\n${uids['other-trust']},150\n`, scoped);
    expect(byUid.problems).to.deep.equal([{ row: 2, code: 'no-study', reason: 'no study matches' }]);
    let refused: unknown;
    await run('Accession,Weight\nACC-SECRET-1,55\n', { ...scoped, trustCode: 'OTH' }).catch((e: unknown) => {
      refused = e;
    });
    expect(refused).to.have.property('httpStatus', 403);
    expect((await sizeOf('other-trust')).height).to.equal(null);
  });

  it('matches by Study Instance UID; a dry run reports the same and changes nothing', async () => {
    const csv = `StudyInstanceUID;Height (m);Weight\n${uids['by-uid']};1,72;64\n`;
    const preview = await run(csv, { dryRun: true, mapping: { heightUnit: 'm', header: true } });
    expect(preview).to.include({ dryRun: true, applied: 1, heightsFilled: 1, weightsFilled: 1 });
    expect(preview.mapping).to.include({ match: 'study-uid', delimiter: ';' });
    expect(preview.studyIds).to.deep.equal([ids['by-uid']]);
    expect((await sizeOf('by-uid')).height).to.equal(null);
    const applied = await run(csv, { mapping: { heightUnit: 'm', header: true } });
    expect(applied.studyIds).to.deep.equal(preview.studyIds);
    expect(await sizeOf('by-uid')).to.deep.equal({
      height: 1.72,
      weight: 64,
      heightSource: 'imported',
      weightSource: 'imported',
    });
  });

  it('replaces an earlier import when asked, never a size from the dose objects', async () => {
    const csv = 'Accession,Height,Weight\nACC-SECRET-1,171,91\n';
    const result = await run(csv, { replaceImported: true });
    expect(result.studyIds).to.deep.equal([ids.weighed]);
    expect(await sizeOf('weighed')).to.deep.equal({
      height: 1.71,
      weight: 75,
      heightSource: 'imported',
      weightSource: null,
    });
  });

  it('runs the follow-up (dose metrics) in the same transaction, with the studies changed', async () => {
    const seen: number[][] = [];
    await ingestStudy('follow-up', 'DEFAULT', { AccessionNumber: 'ACC-SECRET-9' });
    const deps = {
      transaction: <T>(work: (db: QueryRunner) => Promise<T>) => withTransaction(database.pool, work),
      patientIdSecret: SECRET,
      studiesChanged: async (db: QueryRunner, studyIds: readonly number[]) => {
        const { rows } = await db.query<{ h: number }>({
          text: 'SELECT patient_height_m AS h FROM studies WHERE study_id = $1',
          values: [studyIds[0]],
        });
        seen.push([...studyIds, rows[0]!.h]);
        throw new Error('metrics failed');
      },
    };
    const request: PatientSizeImport = {
      file: Buffer.from('Accession,Height\nACC-SECRET-9,180\n'),
      mapping: { heightUnit: 'cm', header: true },
      trustCode: 'DEFAULT',
      scope: 'all',
      dryRun: false,
      actor: { actorKind: 'system', actorName: 'patient-size-test' },
    };
    let failure: unknown;
    await importPatientSizes(deps, request).catch((e: unknown) => {
      failure = e;
    });
    expect((failure as Error).message).to.equal('metrics failed');
    // It saw the new height inside the transaction; its failure rolled the import back.
    expect(seen).to.deep.equal([[ids['follow-up'], 1.8]]);
    expect((await sizeOf('follow-up')).height).to.equal(null);
  });

  it('audits each import and preview with a hash of the file and counts, never an accession number', async () => {
    const { rows } = await database.pool.query<{ action: string; actor_name: string; detail: Record<string, unknown> }>(
      `SELECT action, actor_name, detail FROM audit_log WHERE action LIKE 'patient-size.%' ORDER BY audit_id`,
    );
    expect(rows.map((r) => r.action)).to.include.members(['patient-size.import', 'patient-size.preview']);
    const first = rows[0]!;
    expect(first.actor_name).to.equal('patient-size-test');
    expect(first.detail).to.include({ match: 'accession', rows: 3, applied: 2, heightsFilled: 2, weightsFilled: 1 });
    expect(first.detail.fileSha256).to.match(/^[0-9a-f]{64}$/);
    expect(first.detail.studyIds).to.deep.equal([ids.weighed, ids.bare].sort((a, b) => a! - b!));
    expect(JSON.stringify(rows)).to.not.include('ACC-SECRET');
  });
});
