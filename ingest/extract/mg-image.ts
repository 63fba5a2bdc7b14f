import type { DicomDataset, ParsedDicom } from '../dicom/dataset.ts';
import { SopClass } from '../dicom/sop-classes.ts';
import { codeMatches, concept, type Code } from '../dicom/sr.ts';
import { Tag } from '../dicom/tags.ts';
import { readProjectionImageEvent } from './dx-image.ts';
import type { Extractor } from './extractor.ts';
import { headerDoseReport, readStudyInfo } from './header.ts';
import {
  ImageCodes,
  ImageTag,
  Laterality,
  firstDefined,
  imageReportContext,
  readNumber,
  shiftDecimal,
  singleImageAccumulated,
} from './image-common.ts';
import { guardExtraction, requireIdentity, type ObjectIdentity } from './guards.ts';
import type { DoseReport, ProjectionAccumulated, ProjectionEvent, StudyInfo } from './types.ts';

/**
 * Mammograms read from their own header: Digital Mammography X-Ray Image For Presentation / For
 * Processing (PS3.3 A.27) with the Mammography Image and X-Ray Acquisition Dose modules (C.8.11.7,
 * C.8.7.8); and the Hologic Selenia Dimensions proprietary tomosynthesis projections, which are
 * Secondary Captures (A.8) with Modality MG that still carry the acquisition attributes.
 */
const MAMMOGRAPHY_CLASSES: ReadonlySet<string> = new Set([
  SopClass.DigitalMammographyImageForPresentation,
  SopClass.DigitalMammographyImageForProcessing,
]);

/**
 * A Secondary Capture is a mammogram only when it is an ORIGINAL image from an MG modality: derived
 * captures (screenshots, CAD results) repeat no exposure and must not count as one.
 */
function isHologicProjection(parsed: ParsedDicom): boolean {
  const ds = parsed.dataset;
  return (
    parsed.sopClassUid === SopClass.SecondaryCaptureImage &&
    ds.string(Tag.Modality)?.toUpperCase() === 'MG' &&
    ds.strings(Tag.ImageType).some((value) => value.toUpperCase() === 'ORIGINAL')
  );
}

/** CID 6022 breast laterality for the TID 10005 accumulated rows, from the CID 244 event laterality. */
const BREASTS: ReadonlyArray<readonly [Code, Code]> = [
  [Laterality.R, { value: 'T-04020', scheme: 'SRT', meaning: 'Right breast' }],
  [Laterality.L, { value: 'T-04030', scheme: 'SRT', meaning: 'Left breast' }],
  [Laterality.B, { value: 'T-04080', scheme: 'SRT', meaning: 'Both breasts' }],
];

function breastLaterality(laterality: Code | undefined): Code | undefined {
  return BREASTS.find(([side]) => codeMatches(laterality, concept(side.value, side.scheme, side.meaning)))?.[1];
}

/**
 * TID 10005 Accumulated Mammography X-Ray Dose for the one image: its AGD under its breast. An AGD
 * without laterality is kept (laterality unknown) rather than dropped.
 */
function mammographyAccumulated(event: ProjectionEvent): ProjectionAccumulated {
  const agdMgy = event.source.averageGlandularDoseMgy;
  return singleImageAccumulated({
    dapTotalGyCm2: event.dapGyCm2,
    mammography:
      agdMgy === undefined
        ? []
        : [{ laterality: breastLaterality(event.laterality), accumulatedAverageGlandularDoseMgy: agdMgy }],
  });
}

/** The protocol name summarises a mammography study better than its (often absent) procedure code. */
function mgStudyInfo(ds: DicomDataset): StudyInfo {
  const study = readStudyInfo(ds, { dateFallbacks: false });
  return { ...study, procedureCodeMeaning: firstDefined(ds.string(Tag.ProtocolName), study.procedureCodeMeaning) };
}

function readMgEvent(ds: DicomDataset, identity: ObjectIdentity): ProjectionEvent {
  return readProjectionImageEvent(ds, identity, {
    studyDateFallback: false,
    comment: ds.text(ImageTag.ExposureControlModeDescription),
    // Organ Dose (0040,0316) of a mammogram is the AGD in dGy: ×100 gives mGy.
    averageGlandularDoseMgy: shiftDecimal(readNumber(ds, Tag.OrganDose), 2),
    mechanical: {
      distanceSourceToDetectorMm: readNumber(ds, Tag.DistanceSourceToDetector),
      distanceSourceToEntranceSurfaceMm: readNumber(ds, ImageTag.DistanceSourceToEntrance),
      // Body Part Thickness is the thickness under compression when compression was applied (C.8.7.8).
      compressionThicknessMm: readNumber(ds, Tag.BodyPartThickness),
      compressionForceN: readNumber(ds, Tag.CompressionForce),
    },
  });
}

function extractMg(parsed: ParsedDicom): DoseReport {
  const ds = parsed.dataset;
  const identity = requireIdentity(parsed);
  const study = mgStudyInfo(ds);
  const event = readMgEvent(ds, identity);
  return headerDoseReport(ds, identity, {
    sourceKind: 'mg-image',
    modality: 'MG',
    study,
    doseReport: imageReportContext(ImageCodes.mammography, identity.studyInstanceUid, true),
    projection: { accumulated: [mammographyAccumulated(event)], events: [event] },
    warnings: [],
  });
}

export const mgImageExtractor: Extractor = {
  name: 'mg-image',
  version: 1,
  matches: (parsed) => MAMMOGRAPHY_CLASSES.has(parsed.sopClassUid ?? '') || isHologicProjection(parsed),
  extract: (parsed) => guardExtraction('mammography header', () => extractMg(parsed)),
};
