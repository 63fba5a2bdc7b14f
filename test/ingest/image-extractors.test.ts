import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { corpus, requirePrerequisite } from '../support/prerequisites.ts';
import { parseDicom, type ParsedDicom } from '../../ingest/dicom/dataset.ts';
import { DicomExtractionError } from '../../ingest/dicom/errors.ts';
import { ctImageExtractor } from '../../ingest/extract/ct-image.ts';
import { dxImageExtractor } from '../../ingest/extract/dx-image.ts';
import type { Extractor } from '../../ingest/extract/extractor.ts';
import { mgImageExtractor } from '../../ingest/extract/mg-image.ts';
import { philipsCtDoseScExtractor } from '../../ingest/extract/philips-ct-dose-sc.ts';
import type { DoseReport, ProjectionEvent } from '../../ingest/extract/types.ts';

// dcmjs ships no type declarations: load its CommonJS build and describe the little used here.
interface DenaturalizedElement {
  readonly vr: string;
  readonly Value: unknown[];
}
type Denaturalized = Record<string, DenaturalizedElement>;
interface DcmjsData {
  DicomDict: new (meta: Denaturalized) => { dict: Denaturalized; write(): ArrayBuffer };
  DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): Denaturalized };
}
const { DicomDict, DicomMetaDictionary } = (createRequire(import.meta.url)('dcmjs') as { data: DcmjsData }).data;

const CR = '1.2.840.10008.5.1.4.1.1.1';
const DX_PROCESSING = '1.2.840.10008.5.1.4.1.1.1.1.1';
const MG_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.2';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ENHANCED_CT = '1.2.840.10008.5.1.4.1.1.2.1';

const text = (value: string): ArrayBuffer => new TextEncoder().encode(value).buffer;
const privateBlock = (group: string, values: Record<string, string>): Denaturalized => ({
  [`${group}0010`]: { vr: 'LO', Value: ['ELSCINT1'] },
  ...Object.fromEntries(
    Object.entries(values).map(([element, v]) => [`${group}10${element}`, { vr: 'UN', Value: [text(v)] }]),
  ),
});

/** Writes a made-up object with dcmjs (explicit VR little endian) and parses it as Kerma does. */
function fixture(dataset: Record<string, unknown>, extra: Denaturalized = {}): ParsedDicom {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.1000',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = { ...DicomMetaDictionary.denaturalizeDataset(dataset), ...extra };
  return parseDicom(new Uint8Array(dict.write()));
}

const identity = (sopClass: string, n: number): Record<string, unknown> => ({
  SpecificCharacterSet: 'ISO_IR 192',
  SOPClassUID: sopClass,
  SOPInstanceUID: `2.25.${n}1`,
  StudyInstanceUID: `2.25.${n}2`,
  SeriesInstanceUID: `2.25.${n}3`,
  StudyDate: '20240305',
  StudyTime: '091500',
  PatientName: 'Testpatient^Ada',
  PatientID: 'KERMA-0001',
});

/** Filters as [type meaning, material code, min mm, max mm] rows, compact to compare. */
const filterRows = (event: ProjectionEvent): unknown[][] =>
  event.source.filters.map((f) => [
    f.xrayFilterType?.meaning,
    f.xrayFilterMaterial?.value,
    f.xrayFilterThicknessMinimumMm,
    f.xrayFilterThicknessMaximumMm,
  ]);

function firstEvent(report: DoseReport): ProjectionEvent {
  const event = report.projection?.events[0];
  if (!event) throw new Error('no projection event');
  return event;
}

describe('image-header extractors', () => {
  describe('dx-image', () => {
    const kodak = {
      ...identity(CR, 1),
      Modality: 'CR',
      Manufacturer: 'KODAK',
      ManufacturerModelName: 'DR 7500',
      AcquisitionDate: '20240305',
      AcquisitionTime: '091712.25',
      ProtocolName: 'CHEST PA',
      SeriesDescription: 'PA',
      KVP: '110',
      ExposureTime: 18,
      XRayTubeCurrent: 500,
      Exposure: 9,
      ImageAndFluoroscopyAreaDoseProduct: '10.157',
      DistanceSourceToDetector: '11.5',
      FilterType: 'WEDGE',
      FilterMaterial: 'ALUMINUM,COPPER',
      FilterThicknessMinimum: '1.06,0.206',
      FilterThicknessMaximum: '0.94,0.194',
      Grid: ['RECIPROCATING', 'FO'],
      FieldOfViewDimensions: [428, 350],
      RelativeXRayExposure: 1430,
    };

    it('matches CR and DX classes only', () => {
      expect(dxImageExtractor.matches(fixture(kodak))).to.equal(true);
      expect(dxImageExtractor.matches(fixture({ ...kodak, SOPClassUID: DX_PROCESSING }))).to.equal(true);
      expect(dxImageExtractor.matches(fixture({ ...kodak, SOPClassUID: MG_PRESENTATION }))).to.equal(false);
    });

    it('reads a Kodak CR header: comma-separated filters swapped, SID in dm, DAP and exposure converted', () => {
      const report = dxImageExtractor.extract(fixture(kodak));
      const event = firstEvent(report);
      expect(report.sourceKind).to.equal('dx-image');
      expect(report.modality).to.equal('CR');
      expect(event.dapGyCm2).to.equal(1.0157);
      expect(report.projection?.accumulated[0]).to.include({
        dapTotalGyCm2: 1.0157,
        totalNumberOfRadiographicFrames: 1,
      });
      expect(event.dateTimeStarted).to.equal('2024-03-05T09:17:12.250000');
      expect(event.source.exposureUas).to.deep.equal([9000]);
      expect(event.source).to.include({
        exposureTimeMs: 18,
        averageXrayTubeCurrentMa: 500,
        collimatedFieldAreaM2: 0.1498,
      });
      expect(event.mechanical.distances.distanceSourceToDetectorMm).to.equal(1150);
      expect(event.detector.relativeXrayExposure).to.equal(1430);
      expect(filterRows(event)).to.deep.equal([
        ['Flat filter', 'C-120F9', 0.94, 1.06],
        ['Flat filter', 'C-127F9', 0.194, 0.206],
      ]);
      expect(event.source.grids.map((g) => g.meaning)).to.deep.equal(['Reciprocating grid', 'Focused grid']);
      expect(report.doseReport?.procedureReported?.meaning).to.equal('Projection X-Ray');
      expect(report.doseReport?.sourceOfDoseInformation[0]?.value).to.equal('113866');
      expect(report.study.procedureCodeMeaning).to.equal('CHEST PA');
      expect(report.warnings).to.deep.equal([]);
    });

    const dxEvent = (overrides: Record<string, unknown>): ProjectionEvent =>
      firstEvent(dxImageExtractor.extract(fixture({ ...kodak, ...overrides })));

    it('reads multi-valued filters with decimal commas, and lead and tin from CID 10006', () => {
      const event = dxEvent({
        Manufacturer: 'ACME',
        FilterType: 'MULTIPLE',
        FilterMaterial: ['LEAD', 'TIN'],
        FilterThicknessMinimum: ['0,1', '0,2'],
        FilterThicknessMaximum: ['0,1', '0,25'],
      });
      expect(event.mechanical.distances.distanceSourceToDetectorMm).to.equal(11.5);
      expect(filterRows(event)).to.deep.equal([
        ['Flat filter', 'C-132F9', 0.1, 0.1],
        ['Flat filter', '12597001', 0.2, 0.25],
      ]);
    });

    it('reads one filter with a decimal comma, an explicit no-filter and a Siemens copper term', () => {
      const single = dxEvent({
        FilterMaterial: 'ALUMINIUM',
        FilterThicknessMinimum: '2,5',
        FilterThicknessMaximum: '2,5',
      });
      expect(filterRows(single)).to.deep.equal([['Wedge filter', 'C-120F9', 2.5, 2.5]]);
      const none = dxEvent({ FilterType: 'NONE', Grid: 'NONE' });
      expect(filterRows(none)).to.deep.equal([['No filter', undefined, undefined, undefined]]);
      expect(none.source.grids.map((g) => g.value)).to.deep.equal(['111646']);
      const copper = dxEvent({
        FilterType: 'CU_0.2_MM',
        FilterMaterial: undefined,
        FilterThicknessMinimum: undefined,
        FilterThicknessMaximum: undefined,
      });
      expect(filterRows(copper)).to.deep.equal([['Flat filter', 'C-127F9', 0.2, 0.2]]);
    });

    it('falls back for protocol, procedure, requested procedure, view and event time', () => {
      const report = dxImageExtractor.extract(
        fixture({
          ...identity(DX_PROCESSING, 2),
          Modality: 'DX',
          Manufacturer: 'CARESTREAM HEALTH',
          ManufacturerModelName: 'DRX-REVOLUTION',
          StudyDescription: 'XR CHEST',
          SeriesDescription: 'AP',
          ContentDate: '20240305',
          ContentTime: '101010',
          ViewPosition: 'AP',
          ExposureInuAs: 1000,
          Exposure: 1,
        }),
      );
      const event = firstEvent(report);
      expect(report.study.requestedProcedureCodeMeaning).to.equal('XR CHEST');
      expect(report.study.procedureCodeMeaning).to.equal('XR CHEST');
      expect(event.acquisitionProtocol).to.equal('AP');
      expect(event.imageView?.meaning).to.equal('antero-posterior');
      expect(event.dateTimeStarted).to.equal('2024-03-05T10:10:10');
      expect(event.source.exposureUas).to.deep.equal([1000]);
      expect(event.dapGyCm2).to.equal(undefined);
      expect(report.projection?.accumulated[0]?.dapTotalGyCm2).to.equal(undefined);
    });

    it('refuses an image without a Study Instance UID', () => {
      const parsed = fixture({ ...kodak, StudyInstanceUID: undefined });
      expect(() => dxImageExtractor.extract(parsed))
        .to.throw(DicomExtractionError)
        .with.property('code', 'missing_attribute');
    });
  });

  describe('mg-image', () => {
    const senographe = {
      ...identity(MG_PRESENTATION, 3),
      Modality: 'MG',
      ImageType: ['ORIGINAL', 'PRIMARY'],
      AcquisitionDate: '20240305',
      AcquisitionTime: '092223',
      ProtocolName: 'ROUTINE',
      ImageLaterality: 'L',
      OrganDose: '0.01373',
      EntranceDoseInmGy: '5.071',
      KVP: '29',
      ExposureInuAs: 51800,
      AnodeTargetMaterial: 'RHODIUM',
      FilterMaterial: 'RHODIUM',
      BodyPartThickness: '53',
      CompressionForce: '50',
      PositionerPrimaryAngle: '0',
      DistanceSourceToEntrance: '607',
      CommentsOnRadiationDose: '31 %',
    };

    it('matches mammography classes and only ORIGINAL MG secondary captures', () => {
      expect(mgImageExtractor.matches(fixture(senographe))).to.equal(true);
      expect(mgImageExtractor.matches(fixture({ ...senographe, SOPClassUID: SC }))).to.equal(true);
      expect(
        mgImageExtractor.matches(fixture({ ...senographe, SOPClassUID: SC, ImageType: ['DERIVED', 'SECONDARY'] })),
      ).to.equal(false);
      expect(mgImageExtractor.matches(fixture({ ...senographe, SOPClassUID: SC, Modality: 'OT' }))).to.equal(false);
    });

    it('reads AGD (dGy to mGy), laterality and compression, and accumulates the AGD per breast', () => {
      const report = mgImageExtractor.extract(fixture(senographe));
      const event = firstEvent(report);
      expect(report).to.include({ sourceKind: 'mg-image', modality: 'MG' });
      expect(event.source.averageGlandularDoseMgy).to.equal(1.373);
      expect(event.laterality?.meaning).to.equal('Left');
      expect(event.entranceExposureAtRpMgy).to.equal(5.071);
      expect(event.percentFibroglandularTissue).to.equal(31);
      expect(event.mechanical).to.include({
        compressionThicknessMm: 53,
        compressionForceN: 50,
        positionerPrimaryAngleDeg: 0,
      });
      expect(event.mechanical.distances.distanceSourceToEntranceSurfaceMm).to.equal(607);
      expect(event.source.anodeTargetMaterial?.meaning).to.equal('Rhodium or Rhodium compound');
      expect(report.projection?.accumulated[0]?.mammography).to.deep.equal([
        {
          laterality: { value: 'T-04030', scheme: 'SRT', meaning: 'Left breast' },
          accumulatedAverageGlandularDoseMgy: 1.373,
        },
      ]);
      expect(report.doseReport?.procedureReported?.value).to.equal('P5-40010');
      expect(report.study.procedureCodeMeaning).to.equal('ROUTINE');
    });

    it('keeps an AGD without laterality, and records none when the header has no AGD', () => {
      const unsided = mgImageExtractor.extract(fixture({ ...senographe, ImageLaterality: 'U' }));
      expect(unsided.projection?.accumulated[0]?.mammography).to.deep.equal([
        { laterality: undefined, accumulatedAverageGlandularDoseMgy: 1.373 },
      ]);
      const noDose = mgImageExtractor.extract(fixture({ ...senographe, OrganDose: undefined }));
      expect(noDose.projection?.accumulated[0]?.mammography).to.deep.equal([]);
    });
  });

  describe('ct-image', () => {
    it('reads a CT Image header into one CT event', () => {
      const report = ctImageExtractor.extract(
        fixture({
          ...identity(CT, 4),
          Modality: 'CT',
          AcquisitionDateTime: '20240305093012.5',
          ProtocolName: 'Head routine',
          KVP: '120',
          XRayTubeCurrent: 250,
          ExposureTime: 1500,
          RevolutionTime: 0.5,
          SingleCollimationWidth: 0.625,
          TotalCollimationWidth: 40,
          SpiralPitchFactor: 0.984,
          CTDIvol: 52.3,
          CTDIPhantomTypeCodeSequence: [
            { CodeValue: '113690', CodingSchemeDesignator: 'DCM', CodeMeaning: 'IEC Head Dosimetry Phantom' },
          ],
          IrradiationEventUID: '2.25.4999',
        }),
      );
      const event = report.ct?.events[0];
      expect(report).to.include({ sourceKind: 'ct-image', modality: 'CT' });
      expect(event).to.include({
        ctdiVolMgy: 52.3,
        exposureTimeS: 1.5,
        pitchFactor: 0.984,
        irradiationEventUid: '2.25.4999',
      });
      expect(event).to.include({
        nominalSingleCollimationWidthMm: 0.625,
        nominalTotalCollimationWidthMm: 40,
        acquisitionProtocol: 'Head routine',
      });
      expect(event?.dateTimeStarted).to.equal('2024-03-05T09:30:12.500000');
      expect(event?.xraySources[0]).to.include({ kvp: 120, xrayTubeCurrentMa: 250, exposureTimePerRotationS: 0.5 });
      expect(event?.ctdiwPhantomType?.value).to.equal('113690');
      expect(report.doseReport?.procedureReported?.meaning).to.equal('Computed Tomography X-Ray');
    });

    it('reads the Enhanced CT functional groups and averages per-frame CTDIvol', () => {
      const frame = (ctdiVol: number) => ({
        CTExposureSequence: [{ CTDIvol: ctdiVol, ExposureTimeInms: 750, XRayTubeCurrentInmA: 310.5 }],
        FrameContentSequence: [{ FrameAcquisitionDateTime: '20240305094000' }],
      });
      const report = ctImageExtractor.extract(
        fixture({
          ...identity(ENHANCED_CT, 5),
          Modality: 'CT',
          SharedFunctionalGroupsSequence: [
            {
              CTAcquisitionTypeSequence: [{ AcquisitionType: 'SPIRAL' }],
              CTXRayDetailsSequence: [{ KVP: '100' }],
              CTTableDynamicsSequence: [{ SpiralPitchFactor: 1.2 }],
            },
          ],
          PerFrameFunctionalGroupsSequence: [frame(10), frame(12)],
        }),
      );
      const event = report.ct?.events[0];
      expect(event).to.include({
        ctdiVolMgy: 11,
        exposureTimeS: 0.75,
        pitchFactor: 1.2,
        dateTimeStarted: '2024-03-05T09:40:00',
      });
      expect(event?.ctAcquisitionType?.meaning).to.equal('Spiral Acquisition');
      expect(event?.xraySources[0]).to.include({ kvp: 100, xrayTubeCurrentMa: 310.5 });
    });
  });

  describe('philips-ct-dose-sc', () => {
    const screen = {
      ...identity(SC, 6),
      Modality: 'CT',
      Manufacturer: 'Philips',
      SeriesDescription: 'Dose Info',
      StudyDescription: 'CT abdomen',
      ProtocolName: 'Abdomen/Routine',
      TotalNumberOfExposures: 2,
      CommentsOnRadiationDose: 'Total DLP=310.5',
    };
    const series = (acquisitionType: string, description: string, dlp: string): Denaturalized => ({
      ...DicomMetaDictionary.denaturalizeDataset({
        AcquisitionType: acquisitionType,
        SeriesDescription: description,
        KVP: '120',
        ExposureTime: 6986,
        XRayTubeCurrentInuA: '165044.374',
        SingleCollimationWidth: 1.5,
        TotalCollimationWidth: 24,
        SpiralPitchFactor: 0.9,
        CTDIvol: 7.2,
        ScanLength: 231,
        AcquisitionDateTime: '20240305100000',
      }),
      ...privateBlock('00E1', { '21': dlp }),
    });
    const extra: Denaturalized = {
      '0040030E': {
        vr: 'SQ',
        Value: [series('CONSTANT_ANGLE', 'Surview', '0 '), series('SPIRAL', 'ABDOMEN', '310.5')],
      },
      ...privateBlock('00E1', { '21': '310.5', '61': 'Abdomen_usr.proc' }),
      '01E10010': { vr: 'LO', Value: ['ELSCINT1'] },
      '01E11026': { vr: 'UN', Value: [text('32 CM')] },
    };

    it('matches only Philips Dose Info captures', () => {
      expect(philipsCtDoseScExtractor.matches(fixture(screen, extra))).to.equal(true);
      expect(philipsCtDoseScExtractor.matches(fixture({ ...screen, SeriesDescription: 'Screen Save' }))).to.equal(
        false,
      );
      expect(philipsCtDoseScExtractor.matches(fixture({ ...screen, Manufacturer: 'ACME' }))).to.equal(false);
    });

    it('reads one event per series, the private DLP and phantom, and derives stable event UIDs', () => {
      const parsed = fixture(screen, extra);
      const report = philipsCtDoseScExtractor.extract(parsed);
      const [surview, spiral] = report.ct?.events ?? [];
      expect(report).to.include({ sourceKind: 'philips-ct-dose-sc', modality: 'CT' });
      expect(report.ct?.accumulated).to.include({
        totalNumberOfIrradiationEvents: 2,
        ctDoseLengthProductTotalMgyCm: 310.5,
      });
      expect(surview?.ctAcquisitionType?.value).to.equal('113805');
      expect(spiral).to.include({
        dlpMgyCm: 310.5,
        exposureTimeS: 6.986,
        ctdiVolMgy: 7.2,
        scanningLengthMm: 231,
        acquisitionProtocol: 'ABDOMEN',
      });
      expect(spiral?.xraySources[0]).to.include({
        identificationOfXraySource: 'A',
        kvp: 120,
        xrayTubeCurrentMa: 165.044374,
      });
      expect(spiral?.ctdiwPhantomType?.meaning).to.equal('IEC Body Dosimetry Phantom');
      // Pinned: a stored event's identity must not change with a new release, or re-sent screens duplicate.
      expect([surview?.irradiationEventUid, spiral?.irradiationEventUid]).to.deep.equal([
        '2.25.250333643872260991955326085510985221497',
        '2.25.229814184919262495957011738565226149796',
      ]);
      expect(philipsCtDoseScExtractor.extract(parsed).ct?.events[1]?.irradiationEventUid).to.equal(
        spiral?.irradiationEventUid,
      );
      expect(spiral?.irradiationEventUid).to.match(/^2\.25\.\d{1,39}$/);
      expect(report.doseReport?.startOfXrayIrradiation).to.equal('2024-03-05T10:00:00');
      expect(report.doseReport?.endOfXrayIrradiation).to.equal('2024-03-05T10:00:06.986000');
      expect(report.study).to.include({ studyDescription: 'CT abdomen', procedureCodeMeaning: 'Abdomen/Routine' });
    });
  });
});

// ---------- Conformance with the peer on the real vendor files ----------

const CORPUS = path.resolve('../shared/corpus');
const EXTRACTORS: readonly Extractor[] = [
  philipsCtDoseScExtractor,
  mgImageExtractor,
  dxImageExtractor,
  ctImageExtractor,
];

interface PeerAssertion {
  readonly path: string;
  readonly compare: string;
  readonly value?: unknown;
  readonly places?: number;
}

const e0 = (report: DoseReport): ProjectionEvent => firstEvent(report);
/** The peer stores DAP in Gy·m², Kerma in Gy·cm². */
const gyM2 = (gyCm2: number | undefined): number | undefined => (gyCm2 === undefined ? undefined : gyCm2 / 1e4);

/** Per file: expected.json path → the same quantity read from Kerma's report, in the peer's unit. */
const PEER_CHECKS: Record<string, Record<string, (report: DoseReport) => unknown>> = {
  'DX-Im-Carestream_DR7500-2.dcm': {
    'events[0].doseAreaProduct': (r) => gyM2(e0(r).dapGyCm2),
    'events[0].mechanical.distances.distanceSourceToDetector': (r) =>
      e0(r).mechanical.distances.distanceSourceToDetectorMm,
    'events[0].source.exposure': (r) => e0(r).source.exposureUas[0],
    'events[0].source.filters.count': (r) => e0(r).source.filters.length,
    'events[0].source.filters[0].xrayFilterThicknessMinimum': (r) =>
      e0(r).source.filters[0]?.xrayFilterThicknessMinimumMm,
    'events[0].source.filters[1].xrayFilterThicknessMaximum': (r) =>
      e0(r).source.filters[1]?.xrayFilterThicknessMaximumMm,
    'events[0].source.filters[1].xrayFilterMaterial.codeMeaning': (r) =>
      e0(r).source.filters[1]?.xrayFilterMaterial?.meaning,
  },
  'DX-Im-GE_XR220-1.dcm': {
    'events[0].detector.exposureIndex': (r) => e0(r).detector.exposureIndex,
    'events[0].detector.deviationIndex': (r) => e0(r).detector.deviationIndex,
    'events[0].source.exposure': (r) => e0(r).source.exposureUas[0],
  },
  'DX-Im-Carestream_DRX.dcm': { 'study.requestedProcedureCodeMeaning': (r) => r.study.requestedProcedureCodeMeaning },
  'MG-Im-GE-SenDS-scaled.dcm': {
    'events[0].source.averageGlandularDose': (r) => e0(r).source.averageGlandularDoseMgy,
    'events[0].source.collimatedFieldArea': (r) => e0(r).source.collimatedFieldAreaM2,
    'events[0].entranceExposureAtRp': (r) => e0(r).entranceExposureAtRpMgy,
    'events[0].percentFibroglandularTissue': (r) => e0(r).percentFibroglandularTissue,
    'device.institutionAddress': (r) => r.device.institutionAddress,
  },
  'MG-Im-Hologic-PropProj.dcm': { 'events[0].laterality.codeMeaning': (r) => e0(r).laterality?.meaning },
  'CT-SC-Philips_Brilliance16P.dcm': {
    'study.totalDlp': (r) => r.ct?.accumulated.ctDoseLengthProductTotalMgyCm,
    'study.numberOfSpiral': (r) => r.ct?.events.filter((e) => e.ctAcquisitionType?.value === 'P5-08001').length,
  },
};

function extractCorpusFile(name: string): DoseReport {
  const parsed = parseDicom(new Uint8Array(readFileSync(path.join(CORPUS, 'dicom', name))));
  const extractor = EXTRACTORS.find((e) => e.matches(parsed));
  if (!extractor) throw new Error(`no image extractor for ${name}`);
  return extractor.extract(parsed);
}

/** equal, or the peer's assertAlmostEqual: |actual - expected| rounds to 0 at `places` decimals. */
function expectPeer(actual: unknown, assertion: PeerAssertion): void {
  if (assertion.compare === 'almostEqual' && typeof assertion.value === 'number') {
    expect(actual)
      .to.be.a('number')
      .and.closeTo(assertion.value, 0.5 * 10 ** -(assertion.places ?? 7));
  } else {
    expect(assertion.compare).to.equal('equal');
    expect(actual).to.deep.equal(assertion.value);
  }
}

describe('image-header extractors on the vendor corpus (../shared/corpus, skipped when absent)', function () {
  before(function () {
    requirePrerequisite(this, corpus('expected.json'));
  });

  for (const [file, checks] of Object.entries(PEER_CHECKS)) {
    it(`${file}: ${Object.keys(checks).length} values as the peer reads them`, () => {
      const expected = JSON.parse(readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as {
        files: Record<string, { assertions: PeerAssertion[] }>;
      };
      const report = extractCorpusFile(file);
      for (const [peerPath, read] of Object.entries(checks)) {
        const assertion = expected.files[file]?.assertions.find((a) => a.path === peerPath);
        if (!assertion) throw new Error(`${file}: no expected.json assertion ${peerPath}`);
        expectPeer(read(report), assertion);
      }
    });
  }

  it('Philips dose screen: the protocol name the peer stores as study description is the procedure meaning', () => {
    const report = extractCorpusFile('CT-SC-Philips_Brilliance16P.dcm');
    expect(report.study.procedureCodeMeaning).to.match(/abdomen/i);
    expect(report.study.studyDescription).to.equal('CT Thorax & abdo & pelvis with contrast');
  });
});
