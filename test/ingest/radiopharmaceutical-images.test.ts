import { expect } from 'chai';
import { parseDicom } from '../../ingest/dicom/dataset.ts';
import type { Extractor } from '../../ingest/extract/extractor.ts';
import { nmImageExtractor, petImageExtractor } from '../../ingest/extract/nm-image.ts';
import type { DoseReport, RadiopharmaceuticalAdministration } from '../../ingest/extract/types.ts';
import { writePart10 } from '../support/fixtures/dicom-writer.ts';
import { buildNmImage, buildPetImage, nmImageDataset } from '../support/fixtures/radiopharmaceutical-images.ts';
import { EMPTY_ASSAY as NO_ASSAY, EMPTY_PRODUCT as NO_PRODUCT, N, codeOf as c } from '../support/fixtures/rrdsr.ts';

function extract(bytes: Uint8Array, by: Extractor): DoseReport {
  const parsed = parseDicom(bytes);
  expect(by.matches(parsed), `${by.name} matches`).to.equal(true);
  return by.extract(parsed);
}

function administrations(report: DoseReport): readonly RadiopharmaceuticalAdministration[] {
  return report.radiopharmaceutical?.administrations ?? [];
}

describe('PET image header (PS3.3 C.8.9.1 PET Series, C.8.9.2 PET Isotope)', () => {
  it('reads the administration with the total dose from Bq to MBq, and every PET Series field', () => {
    const report = extract(buildPetImage(), petImageExtractor);
    expect(report).to.include({
      sourceKind: 'pet-image',
      modality: 'PT',
      templateId: undefined,
      doseReport: undefined,
    });
    expect(report.radiopharmaceutical?.patientCharacteristics).to.equal(undefined);
    expect(administrations(report)).to.deep.equal([
      {
        // Present in the header, deliberately not read (see nm-image.ts).
        radiopharmaceuticalAdministrationEventUid: undefined,
        radiopharmaceuticalAgent: c(N.fdg),
        radiopharmaceuticalAgentString: 'FDG -- fluorodeoxyglucose',
        radionuclide: c(N.fluorine18),
        radionuclideHalfLifeS: 6586.2001953125,
        radiopharmaceuticalSpecificActivityBqPerMol: 12500000,
        radiopharmaceuticalStartDatetime: '2024-03-15T12:41:00',
        radiopharmaceuticalStopDatetime: '2024-03-15T12:42:00',
        administeredActivityMbq: 221.596288,
        effectiveDoseMsv: undefined,
        radiopharmaceuticalVolumeMl: 2,
        ...NO_ASSAY,
        routeOfAdministration: c(N.petRoute),
        siteOf: undefined,
        laterality: undefined,
        ...NO_PRODUCT,
      },
    ]);
    expect(report.radiopharmaceutical?.imageSeries).to.deep.equal([
      {
        seriesDatetime: '2024-03-15T13:11:55',
        seriesTypes: ['STATIC', 'IMAGE'],
        numberOfSlices: 313,
        reconstructionMethod: 'VPFXS',
        coincidenceWindowWidthNs: 4.5,
        energyWindowLowerLimitKev: 425,
        energyWindowUpperLimitKev: 650,
        scanProgressionDirection: 'HF',
        numberOfRrIntervals: 8,
        numberOfTimeSlots: 16,
        numberOfTimeSlices: 2,
        corrections: ['DECY', 'ATTN', 'SCAT', 'NORM'],
      },
    ]);
    expect(report.warnings).to.deep.equal([]);
  });

  it('is not chosen for NM images, and keeps no series datetime without a series time', () => {
    expect(petImageExtractor.matches(parseDicom(buildNmImage()))).to.equal(false);
    const report = extract(buildPetImage({ SeriesTime: undefined }), petImageExtractor);
    expect(report.radiopharmaceutical?.imageSeries[0]?.seriesDatetime).to.equal(undefined);
  });
});

describe('NM image header (PS3.3 C.8.4.10 NM Isotope)', () => {
  it('reads every isotope item, total dose in MBq as encoded, start time on the study date, no series', () => {
    const report = extract(buildNmImage(), nmImageExtractor);
    expect(report).to.include({ sourceKind: 'nm-image', modality: 'NM' });
    expect(report.study).to.include({ studyInstanceUid: '2.25.310001', studyDate: '2024-03-15' });
    expect(report.patient).to.include({ patientId: 'NM0001', patientWeightKg: 68 });
    const blank = {
      ...NO_ASSAY,
      ...NO_PRODUCT,
      routeOfAdministration: undefined,
      siteOf: undefined,
      laterality: undefined,
    };
    const common = {
      ...blank,
      radiopharmaceuticalAdministrationEventUid: undefined,
      radiopharmaceuticalAgent: undefined,
    };
    const unread = {
      radiopharmaceuticalSpecificActivityBqPerMol: undefined,
      effectiveDoseMsv: undefined,
      radiopharmaceuticalVolumeMl: undefined,
    };
    expect(administrations(report)).to.deep.equal([
      {
        ...common,
        ...unread,
        radiopharmaceuticalAgentString: 'DPD',
        radionuclide: c(N.technetium99m),
        radionuclideHalfLifeS: undefined,
        radiopharmaceuticalStartDatetime: '2024-03-15T10:15:00',
        radiopharmaceuticalStopDatetime: undefined,
        administeredActivityMbq: 764,
      },
      {
        ...common,
        ...unread,
        radiopharmaceuticalAgentString: 'Thallous chloride',
        radionuclide: undefined,
        radionuclideHalfLifeS: 262802,
        radiopharmaceuticalStartDatetime: undefined,
        radiopharmaceuticalStopDatetime: undefined,
        administeredActivityMbq: 80,
      },
    ]);
    expect(report.radiopharmaceutical?.imageSeries).to.deep.equal([]);
    expect(report.warnings).to.deep.equal([]);
  });

  it('reads an NM total dose too large to be MBq as Bq, with a warning', () => {
    const dataset = nmImageDataset({
      RadiopharmaceuticalInformationSequence: [{ RadionuclideTotalDose: '764000000' }],
    });
    const report = extract(writePart10(dataset), nmImageExtractor);
    expect(administrations(report)[0]?.administeredActivityMbq).to.equal(764);
    expect(report.warnings).to.deep.equal(['Radionuclide Total Dose 764000000 is implausible in MBq: read as Bq']);
  });

  it('gives a report without administrations when the header has no Radiopharmaceutical Information Sequence', () => {
    const report = extract(buildNmImage({ RadiopharmaceuticalInformationSequence: undefined }), nmImageExtractor);
    expect(administrations(report)).to.deep.equal([]);
  });
});
