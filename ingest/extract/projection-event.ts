import type { ContentItem } from '../dicom/sr.ts';
import { C } from './concepts.ts';
import { P } from './projection-concepts.ts';
import { childCode, childText, readDeviceParticipant, readPersonParticipant } from './sr-context.ts';
import { readSiemensEventComment } from './siemens-xml.ts';
import type {
  ProjectionDetector,
  ProjectionEvent,
  ProjectionMechanical,
  ProjectionSource,
  XrayFilter,
} from './types.ts';
import { convertAll, numericReader } from './units.ts';
import { dateTimeStartedOffset, formatDateTime } from './values.ts';

/** PS3.16 TID 10003 Irradiation Event X-Ray Data, with its source, detector and mechanical rows. */
export function readProjectionEvent(event: ContentItem, warnings: string[]): ProjectionEvent {
  const n = numericReader(event, warnings);
  const reference = event.child(P.referencePointDefinition);
  const anatomy = event.child(P.anatomicalStructure);
  const target = event.child(C.targetRegion);
  const view = event.child(P.imageView);
  const orientation = event.child(P.patientOrientation);
  const comment = childText(event, C.comment);
  return {
    irradiationEventUid: childText(event, C.irradiationEventUid),
    dateTimeStarted: formatDateTime(childText(event, C.dateTimeStarted)),
    ...dateTimeStartedOffset(childText(event, C.dateTimeStarted)),
    acquisitionPlane: childCode(event, P.acquisitionPlane),
    irradiationEventType: childCode(event, P.irradiationEventType),
    acquisitionProtocol: childText(event, C.acquisitionProtocol),
    anatomicalStructure: anatomy?.code(),
    // Laterality hangs below the anatomy or the target region (TID 10003 rows 8-9).
    laterality: childCode(anatomy, P.laterality) ?? childCode(target, P.laterality) ?? childCode(event, P.laterality),
    imageView: view?.code(),
    imageViewModifier: childCode(view, P.imageViewModifier),
    projectionEponymousName: childCode(event, P.projectionEponymousName),
    patientTableRelationship: childCode(event, P.patientTableRelationship),
    patientOrientation: orientation?.code(),
    patientOrientationModifier: childCode(orientation, P.patientOrientationModifier),
    targetRegion: target?.code(),
    dapGyCm2: n(P.dap, 'dapGyCm2'),
    halfValueLayerMm: n(P.halfValueLayer, 'lengthMm'),
    doseRpGy: n(P.doseRp, 'doseGy'),
    entranceExposureAtRpMgy: n(P.entranceExposureAtRp, 'doseMgy'),
    referencePointDefinition: reference?.valueType === 'TEXT' ? reference.text() : undefined,
    referencePointDefinitionCode: reference?.code(),
    breastComposition: undefined,
    percentFibroglandularTissue: n(P.breastComposition),
    comment,
    source: readSource(event, warnings, comment),
    detector: readDetector(event, warnings),
    mechanical: readMechanical(event, warnings),
    personParticipants: event.all(C.personName).flatMap((item) => readPersonParticipant(item) ?? []),
  };
}

function readFilters(event: ContentItem, warnings: string[]): XrayFilter[] {
  return event.all(P.xrayFilters).map((filter) => {
    const n = numericReader(filter, warnings);
    return {
      xrayFilterType: childCode(filter, P.xrayFilterType),
      xrayFilterMaterial: childCode(filter, P.xrayFilterMaterial),
      xrayFilterThicknessMinimumMm: n(P.xrayFilterThicknessMinimum, 'lengthMm'),
      xrayFilterThicknessMaximumMm: n(P.xrayFilterThicknessMaximum, 'lengthMm'),
    };
  });
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Items of one concept, every value of every item (per-pulse data may be split or multi-valued). */
function allValues(
  event: ContentItem,
  concept: (typeof P)[keyof typeof P],
  quantity: Parameters<typeof convertAll>[1],
  warnings: string[],
): number[] {
  return event.all(concept).flatMap((item) => convertAll(item.numeric(), quantity, warnings, item.location));
}

function readSource(event: ContentItem, warnings: string[], comment: string | undefined): ProjectionSource {
  const n = numericReader(event, warnings);
  const tubeCurrents = allValues(event, P.xrayTubeCurrent, 'currentMa', warnings);
  const pulseWidths = allValues(event, P.pulseWidth, 'timeMs', warnings);
  const pulses = n(P.numberOfPulses) ?? n(P.philipsNumberOfFrames);
  const shutters = readPhilipsShutters(event, warnings);
  const siemens = readSiemensEventComment(comment);
  // TID 10003B makes Exposure Time conditional on pulsed exposure; some devices send pulses and widths only.
  const pulseWidthMean = mean(pulseWidths);
  const exposureTime =
    n(P.exposureTime, 'timeMs') ??
    (pulses !== undefined && pulseWidthMean !== undefined ? pulseWidthMean * pulses : undefined);
  return {
    doseRpGy: n(P.doseRp, 'doseGy'),
    averageGlandularDoseMgy: n(P.averageGlandularDose, 'doseMgy'),
    fluoroMode: childCode(event, P.fluoroMode),
    pulseRatePerS: n(P.pulseRate),
    numberOfPulses: pulses,
    kvp: allValues(event, P.kvp, 'none', warnings),
    xrayTubeCurrentMa: tubeCurrents,
    pulseWidthMs: pulseWidths,
    exposureUas: allValues(event, P.exposure, 'chargeUas', warnings),
    // A pulse reported with 0 mA delivered no exposure; it must not pull the average down.
    averageXrayTubeCurrentMa: n(P.averageXrayTubeCurrent, 'currentMa') ?? mean(tubeCurrents.filter((mA) => mA > 0)),
    exposureTimeMs: exposureTime,
    irradiationDurationS: n(P.irradiationDuration, 'timeS'),
    focalSpotSizeMm: n(P.focalSpotSize, 'lengthMm'),
    filters: readFilters(event, warnings),
    anodeTargetMaterial: childCode(event, P.anodeTargetMaterial),
    collimatedFieldAreaM2: n(P.collimatedFieldArea, 'areaM2') ?? shutters?.areaM2,
    collimatedFieldHeightMm: n(P.collimatedFieldHeight, 'lengthMm') ?? shutters?.heightMm,
    collimatedFieldWidthMm: n(P.collimatedFieldWidth, 'lengthMm') ?? shutters?.widthMm,
    iiFieldSizeMm: siemens.iiDiameterMm,
    grids: event.all(P.xrayGrid).flatMap((item) => item.code() ?? []),
    gridFocalDistanceMm: undefined,
    exposureControlMode: undefined,
    deviceParticipant: readDeviceParticipant(event.child(C.deviceRoleInProcedure)),
  };
}

/**
 * Philips Allura/Azurion report collimation only as private shutter positions (mm at 1 m from the
 * source, "Wedges and Shutters", 99PHI-IXR-XPER): scaled to the detector by the source-detector distance.
 */
function readPhilipsShutters(
  event: ContentItem,
  warnings: string[],
): { heightMm: number; widthMm: number; areaM2: number } | undefined {
  const shutters = event.child(P.philipsWedgesAndShutters);
  if (!shutters) return undefined;
  const byMeaning = (meaning: string): number | undefined =>
    shutters.children.find((c) => c.conceptName?.meaning.toLowerCase() === meaning)?.numeric()?.value;
  const [bottom, left, right, top] = ['bottom shutter', 'left shutter', 'right shutter', 'top shutter'].map(byMeaning);
  const sddMm = numericReader(event, warnings)(P.distanceSourceToDetector, 'lengthMm');
  if ([bottom, left, right, top, sddMm].some((v) => v === undefined)) return undefined;
  const sddM = (sddMm as number) / 1000;
  const heightMm = ((right as number) + (left as number)) * sddM;
  const widthMm = ((bottom as number) + (top as number)) * sddM;
  return { heightMm, widthMm, areaM2: (heightMm * widthMm) / 1e6 };
}

function readDetector(event: ContentItem, warnings: string[]): ProjectionDetector {
  const n = numericReader(event, warnings);
  return {
    exposureIndex: n(P.exposureIndex),
    targetExposureIndex: n(P.targetExposureIndex),
    deviationIndex: n(P.deviationIndex),
    relativeXrayExposure: undefined,
    sensitivity: undefined,
  };
}

function readMechanical(event: ContentItem, warnings: string[]): ProjectionMechanical {
  const n = numericReader(event, warnings);
  return {
    positionerPrimaryAngleDeg: n(P.positionerPrimaryAngle),
    positionerSecondaryAngleDeg: n(P.positionerSecondaryAngle),
    positionerPrimaryEndAngleDeg: n(P.positionerPrimaryEndAngle),
    positionerSecondaryEndAngleDeg: n(P.positionerSecondaryEndAngle),
    columnAngulationDeg: n(P.columnAngulation),
    tableHeadTiltAngleDeg: n(P.tableHeadTiltAngle),
    tableHorizontalRotationAngleDeg: n(P.tableHorizontalRotationAngle),
    tableCradleTiltAngleDeg: n(P.tableCradleTiltAngle),
    compressionThicknessMm: n(P.compressionThickness, 'lengthMm'),
    compressionForceN: n(P.compressionForce),
    magnificationFactor: undefined,
    crdrMechanicalConfiguration: childCode(event, P.crdrMechanicalConfiguration),
    distances: {
      distanceSourceToIsocenterMm: n(P.distanceSourceToIsocenter, 'lengthMm'),
      distanceSourceToReferencePointMm: n(P.distanceSourceToReferencePoint, 'lengthMm'),
      distanceSourceToDetectorMm: n(P.distanceSourceToDetector, 'lengthMm'),
      tableLongitudinalPositionMm: n(P.tableLongitudinalPosition, 'lengthMm'),
      tableLateralPositionMm: n(P.tableLateralPosition, 'lengthMm'),
      tableHeightPositionMm: n(P.tableHeightPosition, 'lengthMm'),
      distanceSourceToTablePlaneMm: n(P.distanceSourceToTablePlane, 'lengthMm'),
      distanceSourceToEntranceSurfaceMm: undefined,
    },
  };
}
