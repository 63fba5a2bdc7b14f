import { expect } from 'chai';
import { parseDicom } from '../../ingest/dicom/dataset.ts';
import { DicomExtractionError } from '../../ingest/dicom/errors.ts';
import { readSrDocument } from '../../ingest/dicom/sr.ts';
import { guardExtraction } from '../../ingest/extract/guards.ts';
import { radiopharmaceuticalRdsrExtractor as extractor } from '../../ingest/extract/radiopharmaceutical-rdsr.ts';
import type { DoseReport, RadiopharmaceuticalAdministration } from '../../ingest/extract/types.ts';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { buildPetImage } from '../support/fixtures/radiopharmaceutical-images.ts';
import {
  EMPTY_ASSAY,
  EMPTY_PRODUCT,
  N,
  UCUM,
  buildRrdsr,
  codeOf,
  minimalAdministration,
  rrdsrDataset,
} from '../support/fixtures/rrdsr.ts';
import { code, codeItem, container, emptyNum, num } from '../support/fixtures/sr-builder.ts';

const c = codeOf;

function extract(bytes: Uint8Array): DoseReport {
  const parsed = parseDicom(bytes);
  expect(extractor.matches(parsed)).to.equal(true);
  return extractor.extract(parsed);
}

function administrations(report: DoseReport): readonly RadiopharmaceuticalAdministration[] {
  return report.radiopharmaceutical?.administrations ?? [];
}

/** An RRDSR whose only administration carries `activity` as its Administered activity row. */
function withActivity(activity: Record<string, unknown>): DoseReport {
  return extract(writePart10(rrdsrDataset({ content: [minimalAdministration(activity)] })));
}

const NO_PRODUCT = EMPTY_PRODUCT;
const NO_ASSAY = EMPTY_ASSAY;

const HOTLAB_OBSERVER = {
  observerType: c(N.device),
  deviceObserverUid: '2.25.310099',
  deviceObserverName: 'HOTLAB-1',
  deviceObserverManufacturer: 'Kerma Test Labs',
  deviceObserverModelName: 'Dispenser 3000',
  deviceObserverSerialNumber: 'SN-77',
  deviceObserverPhysicalLocationDuringObservation: 'Radiopharmacy',
  deviceRoleInProcedure: undefined,
  personObserverName: undefined,
};

describe('radiopharmaceutical RDSR (PS3.16 TID 10021)', () => {
  const report = extract(buildRrdsr());

  it('is a TID 10021 document recognised by SOP class, or by template inside a Comprehensive SR', () => {
    const parsed = parseDicom(buildRrdsr());
    const document = readSrDocument(parsed.dataset);
    expect(document.templateId).to.equal('10021');
    expect(document.root.conceptName).to.deep.equal(c(N.report));
    const comprehensive = parseDicom(writePart10({ ...rrdsrDataset(), SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.33' }));
    expect(extractor.matches(comprehensive)).to.equal(true);
    expect(extractor.matches(parseDicom(buildPetImage()))).to.equal(false);
  });

  it('reads the report context, identity and device', () => {
    expect(report).to.include({
      sourceKind: 'radiopharmaceutical-rdsr',
      modality: 'NM',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.88.68',
    });
    expect(report).to.include({
      sopInstanceUid: '2.25.310003',
      templateId: '10021',
      ct: undefined,
      projection: undefined,
    });
    expect(report.study).to.include({
      studyInstanceUid: '2.25.310001',
      studyDate: '2024-03-15',
      accessionNumber: 'NMACC01',
    });
    expect(report.device).to.include({
      manufacturer: 'Kerma Test Radiopharmacy',
      stationName: 'HOTLAB',
      deviceObserverUid: '2.25.310099',
    });
    expect(report.doseReport).to.deep.equal({
      procedureReported: undefined,
      hasIntent: c(N.diagnosticIntent),
      acquisitionDeviceType: undefined,
      startOfXrayIrradiation: undefined,
      endOfXrayIrradiation: undefined,
      scopeOfAccumulation: undefined,
      scopeUid: undefined,
      sourceOfDoseInformation: [],
      xraySourceDataAvailable: undefined,
      xrayDetectorDataAvailable: undefined,
      xrayMechanicalDataAvailable: undefined,
      associatedProcedure: c(N.petProcedure),
      comment: 'Kerma fixture RRDSR',
      observers: [],
      language: { language: c(N.english), country: c(N.unitedKingdom) },
    });
    expect(report.radiopharmaceutical?.imageSeries).to.deep.equal([]);
  });

  it('reads every TID 10022 / 10023 field of the first administration, converting GBq, Bq, Bq/mmol and Gy', () => {
    expect(administrations(report)[0]).to.deep.equal({
      radiopharmaceuticalAdministrationEventUid: '2.25.310011',
      radiopharmaceuticalAgent: c(N.fdg),
      radiopharmaceuticalAgentString: undefined,
      radionuclide: c(N.fluorine18),
      radionuclideHalfLifeS: 6586.2,
      radiopharmaceuticalSpecificActivityBqPerMol: 10100,
      radiopharmaceuticalStartDatetime: '2024-03-15T09:30:00',
      radiopharmaceuticalStopDatetime: '2024-03-15T09:31:30.500000',
      administeredActivityMbq: 250,
      effectiveDoseMsv: 4.75,
      radiopharmaceuticalVolumeMl: 2.5,
      preAdministrationMeasuredActivityMbq: 260,
      preActivityMeasurementDevice: c(N.doseCalibrator),
      postAdministrationMeasuredActivityMbq: 9.5,
      postActivityMeasurementDevice: c(N.infusionSystem),
      routeOfAdministration: c(N.intravenous),
      siteOf: c(N.leftUpperArm),
      laterality: c(N.left),
      estimatedExtravasationActivity: 2.5,
      extravasationSymptoms: [c(N.injectionSiteAbscess), c(N.injectionSitePain)],
      brandName: 'Kerma FDG',
      radiopharmaceuticalDispenseUnitIdentifier: 'DU-0001',
      prescriptionIdentifier: 'RX-42',
      lotIdentifiers: ['LOT-A', 'LOT-B'],
      reagentVialIdentifiers: ['RV-1'],
      radionuclideIdentifiers: ['RN-1'],
      drugProductIdentifier: c(N.fdgProduct),
      billingCode: c(N.petBilling),
      comment: 'first administration',
      personParticipant: { personName: 'Nurse^Alice', personRoleInProcedure: c(N.administering), personId: 'N123' },
      organDoses: [
        {
          findingSite: c(N.bladder),
          laterality: undefined,
          organDoseMgy: 51.2,
          massG: 250,
          measurementMethod: 'ICRP 89 reference mass',
          referenceAuthorityText: undefined,
          referenceAuthority: c(N.icrp106),
        },
        {
          findingSite: c(N.kidney),
          laterality: c(N.bilateral),
          organDoseMgy: 17.3,
          massG: undefined,
          measurementMethod: undefined,
          referenceAuthorityText: 'ICRP Publication 128',
          referenceAuthority: undefined,
        },
      ],
      preAdministrationObservers: [
        { ...HOTLAB_OBSERVER, observerType: c(N.person), ...noDevice(), personObserverName: 'Tech^Pre' },
      ],
      postAdministrationObservers: [HOTLAB_OBSERVER],
      observers: [],
    });
  });

  it('reads the second administration: SRT concept names, mCi, half life in hours, vendor effective dose container', () => {
    expect(administrations(report)[1]).to.deep.equal({
      radiopharmaceuticalAdministrationEventUid: '2.25.310012',
      radiopharmaceuticalAgent: c(N.medronate),
      radiopharmaceuticalAgentString: undefined,
      radionuclide: c(N.technetium99m),
      radionuclideHalfLifeS: 21600,
      radiopharmaceuticalSpecificActivityBqPerMol: undefined,
      radiopharmaceuticalStartDatetime: '2024-03-15T14:05:00',
      radiopharmaceuticalStopDatetime: undefined,
      administeredActivityMbq: 740,
      effectiveDoseMsv: 3.2,
      radiopharmaceuticalVolumeMl: undefined,
      ...NO_ASSAY,
      routeOfAdministration: c(N.oral),
      siteOf: undefined,
      laterality: undefined,
      ...NO_PRODUCT,
    });
  });

  it('reads every TID 10024 patient characteristic in the unit its field names (height in m becomes cm)', () => {
    expect(report.radiopharmaceutical?.patientCharacteristics).to.deep.equal({
      subjectAgeYears: 47,
      subjectSex: c(N.female),
      patientHeightCm: 175,
      patientWeightKg: 68,
      bodySurfaceAreaM2: 1.82,
      bodySurfaceAreaFormula: c(N.boyd),
      bodyMassIndexKgPerM2: 22.2,
      equation: c(N.bmiEquation),
      glucoseMmolPerL: 5.4,
      fastingDurationH: 6,
      hydrationVolumeMl: 500,
      recentPhysicalActivity: 'None',
      serumCreatinineMgPerDl: 0.9,
      patientState: [c(N.lowThyroidUptake), c(N.severelyJaundiced)],
      glomerularFiltrationRates: [
        {
          valueMlPerMinPer173M2: 95.5,
          measurementMethod: c(N.ckdEpi),
          equivalentMeaningOfConceptName: c(N.ckdEpiLoinc),
        },
        { valueMlPerMinPer173M2: 88, measurementMethod: c(N.mdrd), equivalentMeaningOfConceptName: c(N.gfrMdrd) },
      ],
    });
  });

  it('records a warning for every value it converted from a non-template unit, and no other', () => {
    expect(report.warnings).to.deep.equal([
      'activityMbq converted from GBq at root > content[2] > content[8]',
      'activityMbq converted from Bq at root > content[2] > content[12]',
      'organDoseMgy converted from Gy at root > content[2] > content[22] > content[2]',
      'halfLifeS converted from h at root > content[3] > content[0] > content[1]',
      'activityMbq converted from mCi at root > content[3] > content[3]',
    ]);
  });

  it('converts an administered activity in any activity unit to MBq', () => {
    const cases: Array<[number, string, number]> = [
      [394000000, 'Bq', 394],
      [394000, 'kBq', 394],
      [394, 'MBq', 394],
      [0.394, 'GBq', 394],
      [0.000394, 'TBq', 394],
      [0.01, 'Ci', 370],
      [10, 'mCi', 370],
      [500, 'uCi', 18.5],
    ];
    for (const [value, unit, mbq] of cases) {
      const read = withActivity(num(N.administeredActivity, value, UCUM(unit)));
      expect(administrations(read)[0]?.administeredActivityMbq, unit).to.be.closeTo(mbq, 1e-9);
      expect(read.warnings.length, unit).to.equal(unit === 'MBq' ? 0 : 1);
    }
  });

  it('reads an activity without unit as MBq and drops one in an unknown unit, with a warning each', () => {
    const bare = withActivity({
      ...num(N.administeredActivity, 120, UCUM('MBq')),
      MeasuredValueSequence: [{ NumericValue: 120 }],
    });
    expect(administrations(bare)[0]?.administeredActivityMbq).to.equal(120);
    expect(bare.warnings).to.deep.equal(['no unit for activityMbq at root > content[0] > content[3]: read as MBq']);
    const odd = withActivity(num(N.administeredActivity, 120, UCUM('mSv')));
    expect(administrations(odd)[0]?.administeredActivityMbq).to.equal(undefined);
    expect(odd.warnings).to.deep.equal([
      'unknown unit "mSv" for activityMbq at root > content[0] > content[3]: value ignored',
      'no Administered activity in root > content[0]',
    ]);
  });

  describe('broken documents give DicomExtractionError, never another exception', () => {
    function failure(bytes: Uint8Array): DicomExtractionError {
      try {
        extractor.extract(parseDicom(bytes));
      } catch (thrown) {
        expect(thrown).to.be.instanceOf(DicomExtractionError);
        return thrown as DicomExtractionError;
      }
      throw new Error('expected a DicomExtractionError');
    }

    it('rejects a root that is not a Radiopharmaceutical Radiation Dose Report', () => {
      const other = {
        ...rrdsrDataset(),
        ConceptNameCodeSequence: [codeItem(['113701', 'DCM', 'X-Ray Radiation Dose Report'])],
      };
      expect(failure(writePart10(other)).code).to.equal('not_dose_report');
    });

    it('rejects a report without any Radiopharmaceutical Administration (TID 10021 row 4)', () => {
      const error = failure(
        writePart10(rrdsrDataset({ content: [code(N.associatedProcedure, N.petProcedure, 'HAS CONCEPT MOD')] })),
      );
      expect(error.code).to.equal('missing_attribute');
      expect(error.location).to.equal('root');
    });

    it('rejects a report without Study Instance UID', () => {
      const dataset = rrdsrDataset();
      delete dataset.StudyInstanceUID;
      expect(failure(writePart10(dataset)).code).to.equal('missing_attribute');
    });

    it('reads what it can of malformed content items without failing', () => {
      const broken = container(N.administration, [
        { RelationshipType: 'CONTAINS', ValueType: 'CODE', ConceptNameCodeSequence: [codeItem(N.agentSct)] },
        emptyNum(N.administeredActivity),
        { RelationshipType: 'CONTAINS', ValueType: 'NUM', MeasuredValueSequence: [{ NumericValue: 5 }] },
        num(N.halfLifeSct, 'abc', UCUM('s')),
        { ValueType: 'BOGUS', ConceptNameCodeSequence: [codeItem(N.start)] },
      ]);
      const read = extract(writePart10(rrdsrDataset({ content: [broken] })));
      expect(administrations(read)[0]).to.include({
        radiopharmaceuticalAgent: undefined,
        administeredActivityMbq: undefined,
      });
      expect(administrations(read)[0]).to.include({
        radionuclideHalfLifeS: undefined,
        radiopharmaceuticalStartDatetime: undefined,
      });
    });

    it('gives a report or a DicomExtractionError for the file cut at any point', () => {
      const whole = buildRrdsr();
      for (let length = 0; length < whole.length; length += 61) {
        try {
          extractor.extract(parseDicom(whole.subarray(0, length)));
        } catch (thrown) {
          expect(thrown, `cut at ${length}`).to.be.instanceOf(DicomExtractionError);
        }
      }
    });

    it('turns an unforeseen fault into a malformed DicomExtractionError with its cause', () => {
      const fault = new TypeError('boom');
      const run = () =>
        guardExtraction('test', () => {
          throw fault;
        });
      expect(run).to.throw(DicomExtractionError).with.property('code', 'malformed');
      expect(run).to.throw(DicomExtractionError).with.property('cause', fault);
    });
  });
});

function noDevice(): Record<string, undefined> {
  return {
    deviceObserverUid: undefined,
    deviceObserverName: undefined,
    deviceObserverManufacturer: undefined,
    deviceObserverModelName: undefined,
    deviceObserverSerialNumber: undefined,
    deviceObserverPhysicalLocationDuringObservation: undefined,
  };
}
