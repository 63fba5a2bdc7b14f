import { expect } from 'chai';
import { DicomExtractionError, extractDoseReport, summariseReport } from '../../ingest/index.ts';
import { writePart10, type Dataset } from '../support/fixtures/dicom-writer.ts';
import {
  buildCtRdsr,
  buildProjectionRdsr,
  ctRdsrDataset,
  projectionRdsrDataset,
} from '../support/fixtures/xray-rdsr.ts';
import { U, codeItem, datetime } from '../support/fixtures/sr-builder.ts';

function extract(bytes: Uint8Array) {
  return extractDoseReport(bytes).report;
}

describe('X-ray radiation dose SR extraction', () => {
  describe('CT (PS3.16 TID 10011)', () => {
    it('extracts accumulated data and every CT acquisition with units in mGy and mGy·cm', () => {
      const report = extract(buildCtRdsr({ events: 3, ctdiVolMgy: 12.5, dlpMgyCm: 401.2 }));
      expect(report.sourceKind).to.equal('ct-rdsr');
      expect(report.modality).to.equal('CT');
      expect(report.ct?.accumulated.totalNumberOfIrradiationEvents).to.equal(3);
      expect(report.ct?.events).to.have.length(3);
      const event = report.ct!.events[0]!;
      expect(event).to.include({
        ctdiVolMgy: 12.5,
        dlpMgyCm: 401.2,
        exposureTimeS: 4.5,
        scanningLengthMm: 350,
        pitchFactor: 0.984,
      });
      expect(event.ctAcquisitionType?.meaning).to.equal('Spiral Acquisition');
      expect(event.ctdiwPhantomType?.value).to.equal('113691');
      expect(event.xraySources[0]).to.include({
        identificationOfXraySource: 'A',
        kvp: 120,
        xrayTubeCurrentMa: 220,
        maximumXrayTubeCurrentMa: 400,
      });
      expect(report.doseReport?.procedureReported?.meaning).to.equal('Computed Tomography X-Ray');
      expect(report.device.deviceObserverUid).to.equal('2.25.987654321');
    });

    it('converts a DLP sent in Gy·cm and accepts the "mGycm" spelling of GE and Siemens', () => {
      const gyCm = extract(buildCtRdsr({ events: 1, dlpMgyCm: 0.25, dlpUnit: ['Gy.cm', 'UCUM', 'Gy.cm'] }));
      expect(gyCm.ct?.events[0]?.dlpMgyCm).to.equal(250);
      expect(gyCm.warnings.join()).to.include('converted dlpMgyCm from Gy.cm');
      const mgycm = extract(buildCtRdsr({ events: 1, dlpMgyCm: 250, dlpUnit: ['mGycm', '99SMS', 'mGycm'] }));
      expect(mgycm.ct?.events[0]?.dlpMgyCm).to.equal(250);
      expect(mgycm.warnings).to.deep.equal([]);
    });

    it('reads comma decimals and ignores an illegal second value of a DS', () => {
      const report = extract(buildCtRdsr({ events: 1, ctdiVolMgy: '7,5', dlpMgyCm: '300.1\\\\310.2' }));
      expect(report.ct?.events[0]?.ctdiVolMgy).to.equal(7.5);
      expect(report.ct?.events[0]?.dlpMgyCm).to.equal(300.1);
    });

    it('recognises a CT report without a template identifier by its content', () => {
      const report = extract(buildCtRdsr({ events: 1, templateId: null }));
      expect(report.templateId).to.equal(undefined);
      expect(report.sourceKind).to.equal('ct-rdsr');
    });

    it('summarises totals and acquisition types for the study row', () => {
      const summary = summariseReport(extract(buildCtRdsr({ events: 2 })));
      expect(summary).to.include({ eventCount: 2, totalDlpMgyCm: 621 });
      expect(summary.ctAcquisitionCounts).to.deep.equal({ axial: 0, spiral: 2, constantAngle: 0, stationary: 0 });
    });
  });

  describe('projection X-ray (PS3.16 TID 10001)', () => {
    it('stores DAP in Gy·cm² (RDSRs send Gy·m²) and dose at the reference point in Gy', () => {
      const report = extract(buildProjectionRdsr({ events: 2, dapValue: 0.00012, doseRpValue: 0.0021 }));
      expect(report.modality).to.equal('RF');
      const event = report.projection!.events[0]!;
      expect(event.dapGyCm2).to.be.closeTo(1.2, 1e-12);
      expect(event.doseRpGy).to.equal(0.0021);
      expect(report.projection!.accumulated[0]!.dapTotalGyCm2).to.be.closeTo(2.4, 1e-12);
      expect(report.projection!.accumulated[0]!.totalFluoroTimeS).to.equal(32);
    });

    it('converts DAP in dGy·cm² and dose at RP in mGy, the classic unit mistakes of some devices', () => {
      const report = extract(
        buildProjectionRdsr({ events: 1, dapValue: 1.034, dapUnit: U.dGyCm2, doseRpValue: 2.1, doseRpUnit: U.mGy }),
      );
      const event = report.projection!.events[0]!;
      expect(event.dapGyCm2).to.be.closeTo(0.1034, 1e-12);
      expect(event.doseRpGy).to.be.closeTo(0.0021, 1e-15);
      expect(report.warnings.join()).to.include('dGy.cm2');
    });

    it('derives exposure time from pulses and pulse width when it is not sent', () => {
      const event = extract(buildProjectionRdsr({ events: 1 })).projection!.events[0]!;
      expect(event.source.numberOfPulses).to.equal(20);
      expect(event.source.exposureTimeMs).to.equal(160);
      expect(event.source.kvp).to.deep.equal([72]);
    });

    it('classifies radiography, fluoroscopy and mammography by device type and content', () => {
      const dx = extract(
        buildProjectionRdsr({ deviceType: ['113958', 'DCM', 'Integrated Projection Radiography System'] }),
      );
      expect(dx.modality).to.equal('DX');
      const noType = projectionRdsrDataset({ deviceType: null });
      expect(extract(writePart10(noType)).modality, 'fluoroscopy events decide').to.equal('RF');
      const mammo = projectionRdsrDataset({});
      const contents = mammo.ContentSequence as Array<Record<string, unknown>>;
      contents[0] = { ...contents[0], ConceptCodeSequence: [codeItem(['P5-40010', 'SRT', 'Mammography'])] };
      expect(extract(writePart10(mammo)).modality).to.equal('MG');
    });
  });

  describe('character sets', () => {
    it('decodes ISO 2022 IR 87 person names with their escape sequences', () => {
      const name = Buffer.concat([
        Buffer.from('Yamada^Tarou='),
        Buffer.from([0x1b, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44, 0x1b, 0x28, 0x42]),
        Buffer.from('^'),
        Buffer.from([0x1b, 0x24, 0x42, 0x42, 0x40, 0x4f, 0x3a, 0x1b, 0x28, 0x42]),
      ]).toString('latin1');
      const dataset = { ...ctRdsrDataset({ specificCharacterSet: '\\ISO 2022 IR 87' }), PerformingPhysicianName: name };
      // dcmjs writes strings as latin1 code units here, so the bytes reach the file unchanged.
      const report = extract(writePart10(dataset));
      expect(report.study.performingPhysicianName).to.equal('Yamada^Tarou=山田^太郎');
    });

    it('decodes UTF-8 (ISO_IR 192) and keeps a mis-declared set reproducible rather than guessing', () => {
      const utf8 = extract(buildCtRdsr({ specificCharacterSet: 'ISO_IR 192', patientName: 'Müller^Jürgen' }));
      expect(utf8.patient.patientName).to.equal('Müller^Jürgen');
      // dcmjs writes UTF-8 bytes whatever is declared: decoding follows the declaration, as the
      // trusted peer does, so the stored value shows the sender's mistake instead of hiding it.
      const misdeclared = extract(buildCtRdsr({ specificCharacterSet: 'ISO_IR 100', patientName: 'Müller^Jürgen' }));
      expect(misdeclared.patient.patientName).to.equal('MÃ¼ller^JÃ¼rgen');
    });
  });

  describe('rejection with a typed reason', () => {
    it('says "not a dose report" for an SR with another document title', () => {
      const dataset = {
        ...ctRdsrDataset(),
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.22',
        ConceptNameCodeSequence: [codeItem(['18748-4', 'LN', 'Diagnostic Imaging Report'])],
      };
      const error = captureError(() => extract(writePart10(dataset)));
      expect(error.code).to.equal('not_dose_report');
      expect(error.message).to.include('Diagnostic Imaging Report');
    });

    it('rejects bytes that are not DICOM and a truncated file without crashing', () => {
      expect(captureError(() => extract(Buffer.from('definitely not a DICOM file, just text'))).code).to.equal(
        'not_dicom',
      );
      const bytes = buildCtRdsr({ events: 3 });
      const cut = captureError(() => extract(bytes.subarray(0, 600)));
      expect(['truncated', 'malformed', 'not_dose_report', 'missing_attribute']).to.include(cut.code);
    });

    it('refuses an object of an unsupported SOP class with its UID', () => {
      const dataset = { ...ctRdsrDataset(), SOPClassUID: '1.2.840.10008.5.1.4.1.1.4' };
      const error = captureError(() => extract(writePart10(dataset)));
      expect(error.code).to.equal('unsupported_sop_class');
      expect(error.message).to.include('1.2.840.10008.5.1.4.1.1.4');
    });
  });

  it('keeps the CT document order of events even when it is not chronological', () => {
    const dataset = ctRdsrDataset({ events: 2 });
    const acquisitions = (dataset.ContentSequence as Dataset[]).filter(
      (item) => (item.ConceptNameCodeSequence as Dataset[])[0]?.CodeValue === '113819',
    );
    expect(acquisitions, 'the two CT Acquisition containers').to.have.length(2);
    // Document order: event 2.25.10001 (started 10:20) before 2.25.10000 (started 10:16), so neither
    // a sort by time nor one by UID gives it back.
    const [first, second] = acquisitions as [Dataset, Dataset];
    startedAt(first, '20240315101600');
    startedAt(second, '20240315102000');
    const contents = dataset.ContentSequence as Dataset[];
    contents.splice(contents.indexOf(first), 1);
    contents.push(first);

    const events = extract(writePart10(dataset)).ct!.events;

    expect(events.map((e) => e.irradiationEventUid)).to.deep.equal(['2.25.10001', '2.25.10000']);
    expect(events.map((e) => e.dateTimeStarted?.slice(0, 19))).to.deep.equal([
      '2024-03-15T10:20:00',
      '2024-03-15T10:16:00',
    ]);
  });
});

/** Adds DateTime Started (DCM 111526) to a CT Acquisition container. */
function startedAt(acquisition: Dataset, value: string): void {
  (acquisition.ContentSequence as Dataset[]).push(datetime(['111526', 'DCM', 'DateTime Started'], value));
}

function captureError(run: () => unknown): DicomExtractionError {
  try {
    run();
  } catch (error) {
    if (error instanceof DicomExtractionError) return error;
    throw error;
  }
  throw new Error('expected a DicomExtractionError');
}
