import type { DicomDataset, ParsedDicom } from '../dicom/dataset.ts';
import { parseDecimal } from '../dicom/dataset.ts';
import { SopClass } from '../dicom/sop-classes.ts';
import { readCode, type Code } from '../dicom/sr.ts';
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
  readAnodeTarget,
  readExposureUas,
  readFilters,
  readGrids,
  readLaterality,
  readNumber,
  shiftDecimal,
  singleImageAccumulated,
} from './image-common.ts';
import { guardExtraction, requireIdentity, type ObjectIdentity } from './guards.ts';
import type {
  DoseReport,
  ProjectionDetector,
  ProjectionEvent,
  ProjectionMechanical,
  ProjectionSource,
  StudyInfo,
  StudyModality,
} from './types.ts';

/**
 * Radiographs read from their own header: CR Image (PS3.3 A.2) and DX Image For Presentation / For
 * Processing (A.26), with the CR Image, DX Image and X-Ray Acquisition Dose modules (C.8.1.2, C.8.11.3,
 * C.8.7.8). Each image is one irradiation event (PS3.16 TID 10003); the store groups a study's images.
 * The event reader is shared with mammography images, which carry the same modules plus C.8.11.7.
 */
const DX_CLASSES: ReadonlySet<string> = new Set([
  SopClass.ComputedRadiographyImage,
  SopClass.DigitalXRayImageForPresentation,
  SopClass.DigitalXRayImageForProcessing,
]);

// ---------- The irradiation event of one projection image (TID 10003 with 10003A/B/C) ----------

const VIEW_POSITIONS: Readonly<Record<string, Code>> = {
  AP: { value: 'R-10206', scheme: 'SRT', meaning: 'antero-posterior' },
  PA: { value: 'R-10214', scheme: 'SRT', meaning: 'postero-anterior' },
  LL: { value: 'R-10236', scheme: 'SRT', meaning: 'left lateral' },
  RL: { value: 'R-10232', scheme: 'SRT', meaning: 'right lateral' },
};

/** View Code Sequence (PS3.3 C.8.11.5 DX Positioning); else the View Position term as a CID 4010 code. */
function readImageView(ds: DicomDataset): { view: Code | undefined; modifier: Code | undefined } {
  const viewItem = ds.item(Tag.ViewCodeSequence);
  const view = readCode(viewItem) ?? VIEW_POSITIONS[ds.string(Tag.ViewPosition)?.toUpperCase() ?? ''];
  return { view, modifier: readCode(viewItem?.item(Tag.ViewModifierCodeSequence)) };
}

/** ProtocolName, then the Toshiba TFD image comment, the series description, the performed protocol. */
function readAcquisitionProtocol(ds: DicomDataset): string | undefined {
  const toshibaTfd = ds.string(Tag.Manufacturer) === 'TOSHIBA_MEC' && ds.string(Tag.SoftwareVersions) === 'TM_TFD_1.0';
  return firstDefined(
    ds.string(Tag.ProtocolName),
    toshibaTfd ? ds.text(ImageTag.ImageComments) : undefined,
    ds.string(Tag.SeriesDescription),
    codeOf(ds, ImageTag.PerformedProtocolCodeSequence)?.meaning || undefined,
  );
}

type CollimatedField = Pick<
  ProjectionSource,
  'collimatedFieldAreaM2' | 'collimatedFieldHeightMm' | 'collimatedFieldWidthMm'
>;

/** Field of View Dimensions (0018,1149) in mm: a rectangle is rows × columns, a round field its diameter. */
function collimatedField(ds: DicomDataset): CollimatedField {
  const [first, second] = ds.decimals(ImageTag.FieldOfViewDimensions);
  if (first !== undefined && ds.string(ImageTag.FieldOfViewShape)?.toUpperCase() === 'ROUND') {
    const areaM2 = (Math.PI * (first / 2) ** 2) / 1e6;
    return { collimatedFieldAreaM2: areaM2, collimatedFieldHeightMm: first, collimatedFieldWidthMm: first };
  }
  if (first === undefined || second === undefined) {
    return { collimatedFieldAreaM2: undefined, collimatedFieldHeightMm: undefined, collimatedFieldWidthMm: undefined };
  }
  return {
    collimatedFieldAreaM2: (first * second) / 1e6,
    collimatedFieldHeightMm: first,
    collimatedFieldWidthMm: second,
  };
}

const list = (value: number | undefined): number[] => (value === undefined ? [] : [value]);

/** Tube current in mA from whichever of the three encodings the device used. */
function tubeCurrentMa(ds: DicomDataset): number | undefined {
  return firstDefined(
    readNumber(ds, Tag.XRayTubeCurrent, 'IS'),
    readNumber(ds, ImageTag.XRayTubeCurrentInmA, 'FD'),
    shiftDecimal(readNumber(ds, ImageTag.XRayTubeCurrentInuA), -3),
  );
}

/** Exposure time in ms: the IS value first (what the peer reads), then the precise encodings. */
function exposureTimeMs(ds: DicomDataset): number | undefined {
  return firstDefined(
    readNumber(ds, Tag.ExposureTime, 'IS'),
    readNumber(ds, ImageTag.ExposureTimeInms, 'FD'),
    shiftDecimal(readNumber(ds, ImageTag.ExposureTimeInuS), -3),
  );
}

function readSource(ds: DicomDataset, averageGlandularDoseMgy: number | undefined): ProjectionSource {
  const currentMa = tubeCurrentMa(ds);
  return {
    doseRpGy: undefined,
    averageGlandularDoseMgy,
    fluoroMode: undefined,
    pulseRatePerS: undefined,
    numberOfPulses: undefined,
    kvp: list(readNumber(ds, Tag.KVP)),
    xrayTubeCurrentMa: list(currentMa),
    pulseWidthMs: list(readNumber(ds, Tag.AveragePulseWidth)),
    exposureUas: list(readExposureUas(ds)),
    averageXrayTubeCurrentMa: currentMa,
    exposureTimeMs: exposureTimeMs(ds),
    irradiationDurationS: undefined,
    // Several focal spots (small\large) cannot all have served one exposure: the first is kept.
    focalSpotSizeMm: readNumber(ds, Tag.FocalSpots),
    filters: readFilters(ds),
    anodeTargetMaterial: readAnodeTarget(ds),
    ...collimatedField(ds),
    iiFieldSizeMm: undefined,
    grids: readGrids(ds),
    gridFocalDistanceMm: readNumber(ds, ImageTag.GridFocalDistance),
    exposureControlMode: ds.string(Tag.ExposureControlMode),
    deviceParticipant: undefined,
  };
}

/** Exposure indices of IEC 62494-1 (PS3.3 Exposure Index Macro) and the vendor's relative exposure. */
function readDetector(ds: DicomDataset): ProjectionDetector {
  return {
    exposureIndex: readNumber(ds, Tag.ExposureIndex),
    targetExposureIndex: readNumber(ds, Tag.TargetExposureIndex),
    deviationIndex: readNumber(ds, Tag.DeviationIndex),
    relativeXrayExposure: readNumber(ds, Tag.RelativeXRayExposure, 'IS'),
    sensitivity: readNumber(ds, Tag.Sensitivity),
  };
}

/** What differs between radiography and mammography in the mechanical rows. */
export interface MechanicalValues {
  readonly distanceSourceToDetectorMm: number | undefined;
  readonly distanceSourceToEntranceSurfaceMm: number | undefined;
  readonly compressionThicknessMm: number | undefined;
  readonly compressionForceN: number | undefined;
}

/** Positioner, table and distance attributes (PS3.3 C.8.11.5 DX Positioning, C.8.7.4 X-Ray Table). */
function readMechanical(ds: DicomDataset, values: MechanicalValues): ProjectionMechanical {
  return {
    positionerPrimaryAngleDeg: readNumber(ds, Tag.PositionerPrimaryAngle),
    positionerSecondaryAngleDeg: readNumber(ds, Tag.PositionerSecondaryAngle),
    positionerPrimaryEndAngleDeg: undefined,
    positionerSecondaryEndAngleDeg: undefined,
    columnAngulationDeg: readNumber(ds, ImageTag.ColumnAngulation),
    tableHeadTiltAngleDeg: readNumber(ds, ImageTag.TableHeadTiltAngle, 'FL'),
    tableHorizontalRotationAngleDeg: readNumber(ds, ImageTag.TableHorizontalRotationAngle, 'FL'),
    tableCradleTiltAngleDeg: readNumber(ds, ImageTag.TableCradleTiltAngle, 'FL'),
    compressionThicknessMm: values.compressionThicknessMm,
    compressionForceN: values.compressionForceN,
    magnificationFactor: readNumber(ds, Tag.EstimatedRadiographicMagnificationFactor),
    crdrMechanicalConfiguration: undefined,
    distances: {
      distanceSourceToIsocenterMm: readNumber(ds, ImageTag.DistanceSourceToIsocenter, 'FL'),
      distanceSourceToReferencePointMm: undefined,
      distanceSourceToDetectorMm: values.distanceSourceToDetectorMm,
      tableLongitudinalPositionMm: undefined,
      tableLateralPositionMm: undefined,
      tableHeightPositionMm: readNumber(ds, ImageTag.TableHeight),
      distanceSourceToTablePlaneMm: undefined,
      distanceSourceToEntranceSurfaceMm: values.distanceSourceToEntranceSurfaceMm,
    },
  };
}

/** Breast density written as "31 %" in Comments on Radiation Dose (GE Senographe); other text gives none. */
function readPercentFibroglandular(ds: DicomDataset): number | undefined {
  const match = /([0-9]+(?:[.,][0-9]+)?)\s*%/.exec(ds.text(ImageTag.CommentsOnRadiationDose) ?? '');
  return match ? parseDecimal(match[1]) : undefined;
}

export interface ProjectionImageOptions {
  /** Radiographs fall back to Study Date/Time for the event time; mammograms do not. */
  readonly studyDateFallback: boolean;
  readonly comment: string | undefined;
  readonly averageGlandularDoseMgy: number | undefined;
  readonly mechanical: MechanicalValues;
}

export function readProjectionImageEvent(
  ds: DicomDataset,
  identity: ObjectIdentity,
  options: ProjectionImageOptions,
): ProjectionEvent {
  const anatomy = codeOf(ds, ImageTag.AnatomicRegionSequence);
  const { view, modifier } = readImageView(ds);
  return {
    irradiationEventUid: irradiationEventUid(ds, identity.sopInstanceUid),
    dateTimeStarted: imageDateTime(ds, options.studyDateFallback),
    ...imageDateTimeOffset(ds),
    acquisitionPlane: ImageCodes.singlePlane,
    irradiationEventType: ImageCodes.stationaryAcquisition,
    acquisitionProtocol: readAcquisitionProtocol(ds),
    anatomicalStructure: anatomy,
    laterality: readLaterality(ds),
    imageView: view,
    imageViewModifier: modifier,
    projectionEponymousName: undefined,
    patientTableRelationship: undefined,
    patientOrientation: undefined,
    patientOrientationModifier: undefined,
    targetRegion: anatomy,
    // Image and Fluoroscopy Area Dose Product (0018,115E) is in dGy·cm²: ÷10 gives Gy·cm².
    dapGyCm2: shiftDecimal(readNumber(ds, Tag.ImageAndFluoroscopyAreaDoseProduct), -1),
    halfValueLayerMm: readNumber(ds, Tag.HalfValueLayer),
    doseRpGy: undefined,
    entranceExposureAtRpMgy: readNumber(ds, Tag.EntranceDoseInmGy),
    referencePointDefinition: undefined,
    referencePointDefinitionCode: undefined,
    breastComposition: undefined,
    percentFibroglandularTissue: readPercentFibroglandular(ds),
    comment: options.comment,
    source: readSource(ds, options.averageGlandularDoseMgy),
    detector: readDetector(ds),
    mechanical: readMechanical(ds, options.mechanical),
    personParticipants: [],
  };
}

// ---------- Radiography specifics ----------

/** Modality is kept as sent so CR and DX rooms stay apart; anything else (RG, PX, none) counts as DX. */
function dxModality(ds: DicomDataset, warnings: string[]): StudyModality {
  const modality = ds.string(Tag.Modality)?.toUpperCase();
  if (modality === 'CR' || modality === 'DX') return modality;
  warnings.push(`radiograph with Modality ${JSON.stringify(modality ?? '')} recorded as DX`);
  return 'DX';
}

/**
 * Kodak DR 7500 writes Distance Source to Detector in decimetres (11.5 for 1150 mm), which no other
 * device does; read as mm it would put the tube 11 mm from the detector.
 */
function distanceSourceToDetectorMm(ds: DicomDataset): number | undefined {
  const value = readNumber(ds, Tag.DistanceSourceToDetector);
  const manufacturer = ds.string(Tag.Manufacturer)?.toLowerCase() ?? '';
  const model = ds.string(Tag.ManufacturerModelName)?.toLowerCase() ?? '';
  return manufacturer.includes('kodak') && model.includes('dr 7500') ? shiftDecimal(value, 2) : value;
}

/** Canon CXDI and Carestream DRX-Revolution put the requested procedure only in Study Description. */
function requestedFromStudyDescription(ds: DicomDataset): string | undefined {
  const manufacturer = ds.string(Tag.Manufacturer)?.toLowerCase() ?? '';
  const model = ds.string(Tag.ManufacturerModelName)?.toLowerCase() ?? '';
  const canon = manufacturer.includes('canon') && model.includes('cxdi');
  const carestream = manufacturer.includes('carestream health') && model.includes('drx-revolution');
  return canon || carestream ? ds.string(Tag.StudyDescription) : undefined;
}

/** Where a radiograph's requested procedure may be, in the order the peer looks. */
function requestedProcedureMeaning(ds: DicomDataset): string | undefined {
  const requestAttributes = ds.item(Tag.RequestAttributesSequence);
  return firstDefined(
    codeOf(ds, Tag.RequestedProcedureCodeSequence)?.meaning || undefined,
    requestAttributes?.string(Tag.CodeMeaning),
    codeOf(ds, Tag.ProcedureCodeSequence)?.meaning || undefined,
    ds.string(Tag.RequestedProcedureDescription),
    requestAttributes?.string(Tag.RequestedProcedureDescription),
    codeOf(ds, ImageTag.PerformedProtocolCodeSequence)?.meaning || undefined,
    requestedFromStudyDescription(ds),
  );
}

/**
 * A radiograph often has no study description or procedure code: the series description and the
 * protocol name stand in, so the study can still be named in lists and matched to a protocol.
 */
function dxStudyInfo(ds: DicomDataset): StudyInfo {
  const study = readStudyInfo(ds, { dateFallbacks: false });
  const procedure = study.procedureCode?.meaning || undefined;
  const protocol = ds.string(Tag.ProtocolName);
  return {
    ...study,
    studyDescription: firstDefined(study.studyDescription, study.seriesDescription, procedure),
    procedureCodeMeaning: firstDefined(procedure, protocol, study.studyDescription, study.seriesDescription),
    requestedProcedureCodeMeaning: requestedProcedureMeaning(ds),
  };
}

/** The series description with the exposure-control description appended, as the peer records it. */
function dxComment(ds: DicomDataset): string | undefined {
  const series = ds.string(Tag.SeriesDescription);
  const exposureControl = ds.text(ImageTag.ExposureControlModeDescription);
  return series && exposureControl ? `${series}, ${exposureControl}` : series;
}

function extractDx(parsed: ParsedDicom): DoseReport {
  const ds = parsed.dataset;
  const identity = requireIdentity(parsed);
  const warnings: string[] = [];
  const study = dxStudyInfo(ds);
  const event = readProjectionImageEvent(ds, identity, {
    studyDateFallback: true,
    comment: dxComment(ds),
    averageGlandularDoseMgy: undefined,
    mechanical: {
      distanceSourceToDetectorMm: distanceSourceToDetectorMm(ds),
      // Distance Source to Patient is to the patient-side surface of the support (C.8.11.5).
      distanceSourceToEntranceSurfaceMm: readNumber(ds, Tag.DistanceSourceToPatient),
      compressionThicknessMm: undefined,
      compressionForceN: undefined,
    },
  });
  return headerDoseReport(ds, identity, {
    sourceKind: 'dx-image',
    modality: dxModality(ds, warnings),
    study,
    doseReport: imageReportContext(ImageCodes.projectionXray, identity.studyInstanceUid, true),
    projection: { accumulated: [singleImageAccumulated({ dapTotalGyCm2: event.dapGyCm2 })], events: [event] },
    warnings,
  });
}

export const dxImageExtractor: Extractor = {
  name: 'dx-image',
  version: 1,
  matches: (parsed) => DX_CLASSES.has(parsed.sopClassUid ?? ''),
  extract: (parsed) => guardExtraction('radiograph header', () => extractDx(parsed)),
};
