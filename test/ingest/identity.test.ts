import { expect } from 'chai';
import { patientKeys, type PatientInfo, type TrustIdentityRules } from '../../ingest/index.ts';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { ctRdsrDataset } from '../support/fixtures/xray-rdsr.ts';
import { testIngestService } from '../support/ingest-harness.ts';
import { freshDatabase, type TestDatabase } from '../support/test-database.ts';

const SECRET = 'identity-test-secret';
const NHS = '9434765919';

const rules = (code: string): TrustIdentityRules => ({
  code,
  nhsNumberSource: 'other_patient_ids',
  nhsNumberIssuer: 'NHS',
  localIdIssuer: 'MRN',
});

const patient = (patientId: string, nhs?: string): PatientInfo => ({
  patientName: undefined,
  patientBirthDate: undefined,
  patientSex: undefined,
  patientAge: undefined,
  patientAgeYears: undefined,
  patientWeightKg: undefined,
  patientSizeM: undefined,
  patientId,
  issuerOfPatientId: 'RAD-PACS',
  otherPatientIds: nhs ? [{ id: nhs, issuer: 'NHS' }] : [],
});

describe('patient identity', () => {
  it('scopes a local ID by its trust: the same MRN and issuer at two trusts gives two keys', () => {
    const [a] = patientKeys(patient('MRN100'), rules('TA'), SECRET);
    const [b] = patientKeys(patient('MRN100'), rules('TB'), SECRET);
    expect(a?.kind).to.equal('local');
    expect(a?.hash).to.not.equal(b?.hash);
  });

  it('links by NHS number alone across trusts', () => {
    const a = patientKeys(patient('MRN100', NHS), rules('TA'), SECRET);
    const b = patientKeys(patient('MRN200', NHS), rules('TB'), SECRET);
    expect(a[0]).to.deep.equal(b[0]);
    expect(a[0]?.kind).to.equal('nhs_number');
  });

  describe('stored', () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase();
      // Two trusts whose PACS name their MRNs the same way: the case that used to merge patients.
      await db.pool.query(
        `INSERT INTO trusts (code, name, nhs_number_source, nhs_number_issuer, local_id_issuer)
         VALUES ('TA', 'Trust A', 'other_patient_ids', 'NHS', 'MRN'), ('TB', 'Trust B', 'other_patient_ids', 'NHS', 'MRN')`,
      );
    });
    after(async () => db?.drop());

    async function patientOf(trustCode: string, patientId: string, nhs?: string): Promise<number> {
      const { service } = testIngestService(db);
      const dataset = {
        ...ctRdsrDataset({ patientId }),
        IssuerOfPatientID: 'RAD-PACS',
        ...(nhs ? { OtherPatientIDsSequence: [{ PatientID: nhs, IssuerOfPatientID: 'NHS' }] } : {}),
      };
      const outcome = await service.ingestObject({
        bytes: writePart10(dataset),
        transport: 'file',
        sender: 'test',
        trustCode,
      });
      if (outcome.status !== 'stored') throw new Error(`expected stored, got ${outcome.status}`);
      const { rows } = await db.pool.query<{ patient_id: number }>(
        'SELECT patient_id FROM studies WHERE study_id = $1',
        [outcome.studyId],
      );
      return rows[0]!.patient_id;
    }

    it('keeps the same MRN at two trusts as two patients', async () => {
      const a = await patientOf('TA', 'MRN-SAME');
      const b = await patientOf('TB', 'MRN-SAME');
      expect(a).to.not.equal(b);
      expect(await patientOf('TA', 'MRN-SAME')).to.equal(a);
    });

    it('links the same NHS number at two trusts as one patient', async () => {
      const a = await patientOf('TA', 'MRN-A1', NHS);
      const b = await patientOf('TB', 'MRN-B7', NHS);
      expect(a).to.equal(b);
    });
  });
});
