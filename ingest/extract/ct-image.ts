import type { DicomDataset, ParsedDicom } from '../dicom/dataset.ts';
import { SopClass } from '../dicom/sop-classes.ts';
import type { Code } from '../dicom/sr.ts';
import { Tag } from '../dicom/tags.ts';
import type { Extractor } from './extractor.ts';
import { headerDoseReport, readStudyInfo } from './header.ts';
import {
  ImageCodes,
  ImageTag,
  codeOf,
  firstDefined,
  imageDateTime,
  imageDateTimeOffset,
  imageReportContext,
  irradiationEventUid,
  readNumber,
  shiftDecimal,
} from './image-common.ts';
import { guardExtraction, requireIdentity } from './guards.ts';
import type { CtDose, CtEvent, CtXraySource, DoseReport } from './types.ts';
import { dateTimeStartedOffset, formatDateTime } from './values.ts';

/**
 * CT images read from their own header: CT Image (PS3.3 A.3, CT Image Module C.8.2.1) and Enhanced CT
 * Image (A.38.1), whose acquisition attributes sit in the CT functional group macros (C.8.15.3) of
 * the Shared or Per-Frame Functional Groups. Each image becomes one CT irradiation event (PS3.16 TID
 * 10013); slices of one acquisition share an Irradiation Event UID, which the store uses to merge them.
 */
export const CtTag = {
  WaterEquivalentDiameter: 'x00181271',
  ScanLength: 'x00181302',
  FrameAcquisitionDateTime: 'x00189074',
  CTAcquisitionTypeSequence: 'x00189301',
  AcquisitionType: 'x00189302',
  CTAcquisitionDetailsSequence: 'x00189304',
  RevolutionTime: 'x00189305',
  SingleCollimationWidth: 'x00189306',
  TotalCollimationWidth: 'x00189307',
  CTTableDynamicsSequence: 'x00189308',
  SpiralPitchFactor: 'x00189311',
  CTExposureSequence: 'x00189321',
  CTXRayDetailsSequence: 'x00189325',
  CTDIPhantomTypeCodeSequence: 'x00189346',
  FrameContentSequence: 'x00209111',
  SharedFunctionalGroupsSequence: 'x52009229',
  PerFrameFunctionalGroupsSequence: 'x52009230',
} as const;

const CT_CLASSES: ReadonlySet<string> = new Set([SopClass.CTImage, SopClass.EnhancedCTImage]);

/** Acquisition Type (0018,9302) defined terms as CID 10013 CT Acquisition Type codes. */
const ACQUISITION_TYPES: Readonly<Record<string, Code>> = {
  SEQUENCED: { value: '113804', scheme: 'DCM', meaning: 'Sequenced Acquisition' },
  SPIRAL: { value: 'P5-08001', scheme: 'SRT', meaning: 'Spiral Acquisition' },
  CONSTANT_ANGLE: { value: '113805', scheme: 'DCM', meaning: 'Constant Angle Acquisition' },
  STATIONARY: { value: '113806', scheme: 'DCM', meaning: 'Stationary Acquisition' },
  FREE: { value: '113807', scheme: 'DCM', meaning: 'Free Acquisition' },
};

export function ctAcquisitionType(value: string | undefined): Code | undefined {
  return value ? ACQUISITION_TYPES[value.trim().toUpperCase()] : undefined;
}

/** A CT event with everything an image header cannot say left undefined (TID 10013 rows). */
export function ctEvent(values: Partial<CtEvent>): CtEvent {
  return {
    irradiationEventUid: undefined,
    dateTimeStarted: undefined,
    acquisitionProtocol: undefined,
    targetRegion: undefined,
    ctAcquisitionType: undefined,
    procedureContext: undefined,
    comment: undefined,
    exposureTimeS: undefined,
    scanningLengthMm: undefined,
    lengthOfReconstructableVolumeMm: undefined,
    exposedRangeMm: undefined,
    topZLocationOfReconstructableVolumeMm: undefined,
    bottomZLocationOfReconstructableVolumeMm: undefined,
    topZLocationOfScanningLengthMm: undefined,
    bottomZLocationOfScanningLengthMm: undefined,
    frameOfReferenceUid: undefined,
    nominalSingleCollimationWidthMm: undefined,
    nominalTotalCollimationWidthMm: undefined,
    pitchFactor: undefined,
    // An image header describes one tube; dual-source scanners report the second only in RDSRs.
    numberOfXraySources: 1,
    xraySources: [],
    ctdiVolMgy: undefined,
    ctdiwPhantomType: undefined,
    dlpMgyCm: undefined,
    effectiveDoseMsv: undefined,
    sizeSpecificDoseEstimateMgy: undefined,
    waterEquivalentDiameterMm: undefined,
    doseCheck: undefined,
    deviceParticipant: undefined,
    personParticipants: [],
    ...values,
  };
}

export function ctXraySource(values: Partial<CtXraySource>): CtXraySource {
  return {
    identificationOfXraySource: undefined,
    kvp: undefined,
    maximumXrayTubeCurrentMa: undefined,
    xrayTubeCurrentMa: undefined,
    exposureTimePerRotationS: undefined,
    xrayFilterAluminumEquivalentMm: undefined,
    ...values,
  };
}

/**
 * Where one functional group macro of an Enhanced CT image is: the shared groups, else the first
 * frame's. A classic CT image has no groups, so its own data set answers every macro.
 */
function macroOf(ds: DicomDataset, sequenceTag: string): DicomDataset {
  const shared = ds.item(CtTag.SharedFunctionalGroupsSequence)?.item(sequenceTag);
  return shared ?? ds.item(CtTag.PerFrameFunctionalGroupsSequence)?.item(sequenceTag) ?? ds;
}

type Reader = (sequenceTag: string, tag: string, vr?: 'DS' | 'IS' | 'FD') => number | undefined;

/** Reads from the macro, then from the top level (vendors put some values in both or only one). */
function macroReader(ds: DicomDataset): Reader {
  return (sequenceTag, tag, vr) => {
    const macro = macroOf(ds, sequenceTag);
    const value = readNumber(macro, tag, vr);
    return value !== undefined || macro === ds ? value : readNumber(ds, tag, vr);
  };
}

/**
 * Mean CTDIvol (TID 10013 "Mean CTDIvol") of the image: with dose modulation an Enhanced CT image
 * gives CTDIvol per frame, and the event's value is their mean.
 */
function meanCtdiVolMgy(ds: DicomDataset): number | undefined {
  const perFrame = ds
    .items(CtTag.PerFrameFunctionalGroupsSequence)
    .map((frame) => frame.item(CtTag.CTExposureSequence))
    .map((exposure) => (exposure ? readNumber(exposure, Tag.CTDIvol, 'FD') : undefined))
    .filter((value): value is number => value !== undefined);
  if (perFrame.length > 0) return perFrame.reduce((a, b) => a + b, 0) / perFrame.length;
  return macroReader(ds)(CtTag.CTExposureSequence, Tag.CTDIvol, 'FD');
}

function ctImageDateTime(ds: DicomDataset): string | undefined {
  return firstDefined(formatDateTime(frameAcquisitionDateTime(ds)), imageDateTime(ds, false));
}

/** The offset suffix of the DT ctImageDateTime chose, if any. */
function ctImageDateTimeOffset(ds: DicomDataset): { dateTimeStartedUtcOffset?: string } {
  const frame = frameAcquisitionDateTime(ds);
  return formatDateTime(frame) ? dateTimeStartedOffset(frame) : imageDateTimeOffset(ds);
}

function frameAcquisitionDateTime(ds: DicomDataset): string | undefined {
  return ds
    .item(CtTag.PerFrameFunctionalGroupsSequence)
    ?.item(CtTag.FrameContentSequence)
    ?.string(CtTag.FrameAcquisitionDateTime);
}

function readCtImageSource(ds: DicomDataset): CtXraySource {
  const read = macroReader(ds);
  return ctXraySource({
    kvp: read(CtTag.CTXRayDetailsSequence, Tag.KVP),
    xrayTubeCurrentMa: firstDefined(
      read(CtTag.CTExposureSequence, ImageTag.XRayTubeCurrentInmA, 'FD'),
      readNumber(ds, Tag.XRayTubeCurrent, 'IS'),
      shiftDecimal(readNumber(ds, ImageTag.XRayTubeCurrentInuA), -3),
    ),
    // Revolution Time is the time of one 360° rotation, i.e. the exposure time per rotation.
    exposureTimePerRotationS: read(CtTag.CTAcquisitionDetailsSequence, CtTag.RevolutionTime, 'FD'),
  });
}

/** Exposure time of the image in s: the precise ms encodings first, then the IS ms value. */
function ctExposureTimeS(ds: DicomDataset): number | undefined {
  const ms = firstDefined(
    macroReader(ds)(CtTag.CTExposureSequence, ImageTag.ExposureTimeInms, 'FD'),
    shiftDecimal(readNumber(ds, ImageTag.ExposureTimeInuS), -3),
    readNumber(ds, Tag.ExposureTime, 'IS'),
  );
  return shiftDecimal(ms, -3);
}

function readCtImageEvent(ds: DicomDataset, sopInstanceUid: string): CtEvent {
  const read = macroReader(ds);
  const acquisitionType = macroOf(ds, CtTag.CTAcquisitionTypeSequence).string(CtTag.AcquisitionType);
  return ctEvent({
    irradiationEventUid: irradiationEventUid(ds, sopInstanceUid),
    dateTimeStarted: ctImageDateTime(ds),
    ...ctImageDateTimeOffset(ds),
    acquisitionProtocol: firstDefined(ds.string(Tag.ProtocolName), ds.string(Tag.SeriesDescription)),
    targetRegion: codeOf(ds, ImageTag.AnatomicRegionSequence),
    ctAcquisitionType: ctAcquisitionType(acquisitionType ?? ds.string(CtTag.AcquisitionType)),
    exposureTimeS: ctExposureTimeS(ds),
    scanningLengthMm: readNumber(ds, CtTag.ScanLength, 'IS'),
    frameOfReferenceUid: ds.string(ImageTag.FrameOfReferenceUID),
    nominalSingleCollimationWidthMm: read(CtTag.CTAcquisitionDetailsSequence, CtTag.SingleCollimationWidth, 'FD'),
    nominalTotalCollimationWidthMm: read(CtTag.CTAcquisitionDetailsSequence, CtTag.TotalCollimationWidth, 'FD'),
    pitchFactor: read(CtTag.CTTableDynamicsSequence, CtTag.SpiralPitchFactor, 'FD'),
    xraySources: [readCtImageSource(ds)],
    ctdiVolMgy: meanCtdiVolMgy(ds),
    ctdiwPhantomType:
      codeOf(macroOf(ds, CtTag.CTExposureSequence), CtTag.CTDIPhantomTypeCodeSequence) ??
      codeOf(ds, CtTag.CTDIPhantomTypeCodeSequence),
    waterEquivalentDiameterMm: read(CtTag.CTExposureSequence, CtTag.WaterEquivalentDiameter, 'FD'),
  });
}

function extractCtImage(parsed: ParsedDicom): DoseReport {
  const ds = parsed.dataset;
  const identity = requireIdentity(parsed);
  const study = readStudyInfo(ds, { dateFallbacks: false });
  const event = readCtImageEvent(ds, identity.sopInstanceUid);
  const warnings =
    event.ctdiVolMgy === undefined ? ['CT image without CTDIvol (0018,9345): exposure factors only'] : [];
  const ct: CtDose = {
    // An image knows no dose-length product; the study total comes from the RDSR or the dose screen.
    accumulated: {
      totalNumberOfIrradiationEvents: 1,
      ctDoseLengthProductTotalMgyCm: undefined,
      ctEffectiveDoseTotalMsv: undefined,
      comment: undefined,
    },
    events: [event],
  };
  return headerDoseReport(ds, identity, {
    sourceKind: 'ct-image',
    modality: 'CT',
    study: { ...study, procedureCodeMeaning: firstDefined(study.procedureCodeMeaning, ds.string(Tag.ProtocolName)) },
    doseReport: imageReportContext(ImageCodes.computedTomography, identity.studyInstanceUid, false),
    ct,
    warnings,
  });
}

export const ctImageExtractor: Extractor = {
  name: 'ct-image',
  version: 1,
  matches: (parsed) => CT_CLASSES.has(parsed.sopClassUid ?? ''),
  extract: (parsed) => guardExtraction('CT image header', () => extractCtImage(parsed)),
};
