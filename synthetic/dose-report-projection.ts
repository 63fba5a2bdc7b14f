import type {
  ProjectionAccumulated,
  ProjectionDetector,
  ProjectionDistances,
  ProjectionDose,
  ProjectionEvent,
  ProjectionMechanical,
  ProjectionSource,
} from '../ingest/index.ts';
import type { ProjectionProcedure } from './catalogue.ts';
import { Laterality, Value, Views } from './codes.ts';
import { codeOf, localIsoOf, stored, storedDapGyCm2 } from './dose-report-values.ts';
import type { ZonedClock } from './time.ts';
import type { SynthProjectionEvent } from './types.ts';

/**
 * The projection X-ray part (PS3.16 TID 10001) of a synthetic exam's normalised dose report, as the
 * extractors read it from the rows report-content.ts writes (see dose-report.ts).
 */
type Modality = ProjectionProcedure['modality'];

const total = (values: ReadonlyArray<number | undefined>): number => values.reduce<number>((a, v) => a + (v ?? 0), 0);

/** TID 10002 Accumulated X-Ray Dose, one plane (report-content.ts accumulated, fluoroTotals). */
function accumulated(modality: Modality, events: readonly SynthProjectionEvent[]): ProjectionAccumulated {
  const rf = modality === 'RF';
  const fluoro = rf ? events.filter((e) => e.eventType === 'fluoroscopy') : [];
  const acquired = events.filter((e) => e.eventType !== 'fluoroscopy');
  return {
    acquisitionPlane: codeOf(Value.singlePlane),
    fluoroDapTotalGyCm2: rf ? storedDapGyCm2(total(fluoro.map((e) => e.dapGyCm2))) : undefined,
    fluoroDoseRpTotalGy: rf ? stored(total(fluoro.map((e) => e.doseRpGy))) : undefined,
    totalFluoroTimeS: rf ? stored(total(fluoro.map((e) => e.exposureTimeMs)) / 1000) : undefined,
    acquisitionDapTotalGyCm2: rf ? storedDapGyCm2(total(acquired.map((e) => e.dapGyCm2))) : undefined,
    acquisitionDoseRpTotalGy: rf ? stored(total(acquired.map((e) => e.doseRpGy))) : undefined,
    totalAcquisitionTimeS: rf ? stored(total(acquired.map((e) => e.exposureTimeMs)) / 1000) : undefined,
    // Mammography RDSRs report AGD instead of DAP (and no dose at the reference point).
    dapTotalGyCm2: modality === 'MG' ? undefined : storedDapGyCm2(total(events.map((e) => e.dapGyCm2))),
    doseRpTotalGy: rf ? stored(total(events.map((e) => e.doseRpGy))) : undefined,
    totalNumberOfRadiographicFrames: acquired.length,
    referencePointDefinition: undefined,
    referencePointDefinitionCode: rf ? codeOf(Value.interventionalReference) : undefined,
    mammography: modality === 'MG' ? breastDoses(events) : [],
  };
}

/** TID 10005 accumulated AGD per breast imaged, left first. */
function breastDoses(events: readonly SynthProjectionEvent[]): ProjectionAccumulated['mammography'] {
  const sides = [
    ['left', Laterality.leftBreast],
    ['right', Laterality.rightBreast],
  ] as const;
  return sides.flatMap(([side, breast]) => {
    const views = events.filter((e) => e.laterality === side);
    if (views.length === 0) return [];
    return [
      { laterality: codeOf(breast), accumulatedAverageGlandularDoseMgy: stored(total(views.map((e) => e.agdMgy))) },
    ];
  });
}

/** Rows the writer never puts in a synthetic event: one shared object for all (reports are read-only). */
const NO_DETECTOR: ProjectionDetector = {
  exposureIndex: undefined,
  targetExposureIndex: undefined,
  deviationIndex: undefined,
  relativeXrayExposure: undefined,
  sensitivity: undefined,
};

const NO_DISTANCES: ProjectionDistances = {
  distanceSourceToIsocenterMm: undefined,
  distanceSourceToReferencePointMm: undefined,
  distanceSourceToDetectorMm: undefined,
  tableLongitudinalPositionMm: undefined,
  tableLateralPositionMm: undefined,
  tableHeightPositionMm: undefined,
  distanceSourceToTablePlaneMm: undefined,
  distanceSourceToEntranceSurfaceMm: undefined,
};

const optional = (value: number | undefined): number | undefined => (value === undefined ? undefined : stored(value));

/** TID 10003B source rows (report-content.ts sourceRows). */
function source(e: SynthProjectionEvent): ProjectionSource {
  const fluoro = e.eventType === 'fluoroscopy';
  const currentMa = stored(e.tubeCurrentMa);
  return {
    doseRpGy: optional(e.doseRpGy),
    averageGlandularDoseMgy: optional(e.agdMgy),
    fluoroMode: fluoro ? codeOf(Value.pulsed) : undefined,
    pulseRatePerS: fluoro ? 7.5 : undefined,
    numberOfPulses: optional(e.pulses),
    kvp: [stored(e.kvp)],
    xrayTubeCurrentMa: [currentMa],
    pulseWidthMs: [],
    exposureUas: [],
    // The extractor's mean of the tube currents above zero (none written: unknown).
    averageXrayTubeCurrentMa: currentMa > 0 ? currentMa : undefined,
    exposureTimeMs: stored(e.exposureTimeMs),
    irradiationDurationS: undefined,
    focalSpotSizeMm: undefined,
    filters: [],
    anodeTargetMaterial: e.compressionThicknessMm === undefined ? undefined : codeOf(Value.tungsten),
    collimatedFieldAreaM2: undefined,
    collimatedFieldHeightMm: undefined,
    collimatedFieldWidthMm: undefined,
    iiFieldSizeMm: undefined,
    grids: [],
    gridFocalDistanceMm: undefined,
    exposureControlMode: undefined,
    deviceParticipant: undefined,
  };
}

function mechanical(e: SynthProjectionEvent): ProjectionMechanical {
  return {
    positionerPrimaryAngleDeg: undefined,
    positionerSecondaryAngleDeg: undefined,
    positionerPrimaryEndAngleDeg: undefined,
    positionerSecondaryEndAngleDeg: undefined,
    columnAngulationDeg: undefined,
    tableHeadTiltAngleDeg: undefined,
    tableHorizontalRotationAngleDeg: undefined,
    tableCradleTiltAngleDeg: undefined,
    compressionThicknessMm: optional(e.compressionThicknessMm),
    compressionForceN: undefined,
    magnificationFactor: undefined,
    crdrMechanicalConfiguration: undefined,
    distances: NO_DISTANCES,
  };
}

/** TID 10003 Irradiation Event X-Ray Data (report-content.ts projectionEvent). */
function projectionEvent(e: SynthProjectionEvent, clock: ZonedClock): ProjectionEvent {
  return {
    irradiationEventUid: e.uid,
    dateTimeStarted: localIsoOf(clock, e.startUtcMs),
    acquisitionPlane: codeOf(Value.singlePlane),
    irradiationEventType: codeOf(e.eventType === 'fluoroscopy' ? Value.fluoroscopy : Value.stationary),
    acquisitionProtocol: e.protocol,
    // Anatomical structure is written, with its laterality, only for a sided exposure.
    anatomicalStructure: e.laterality ? codeOf(e.target) : undefined,
    laterality: e.laterality ? codeOf(e.laterality === 'right' ? Laterality.right : Laterality.left) : undefined,
    imageView: e.view ? codeOf(Views[e.view]) : undefined,
    imageViewModifier: undefined,
    projectionEponymousName: undefined,
    patientTableRelationship: undefined,
    patientOrientation: undefined,
    patientOrientationModifier: undefined,
    targetRegion: codeOf(e.target),
    dapGyCm2: e.dapGyCm2 === undefined ? undefined : storedDapGyCm2(e.dapGyCm2),
    halfValueLayerMm: undefined,
    doseRpGy: optional(e.doseRpGy),
    entranceExposureAtRpMgy: undefined,
    referencePointDefinition: undefined,
    referencePointDefinitionCode: undefined,
    breastComposition: undefined,
    percentFibroglandularTissue: undefined,
    comment: undefined,
    source: source(e),
    detector: NO_DETECTOR,
    mechanical: mechanical(e),
    personParticipants: [],
  };
}

export function projectionDose(
  modality: Modality,
  events: readonly SynthProjectionEvent[],
  clock: ZonedClock,
): ProjectionDose {
  return {
    accumulated: [accumulated(modality, events)],
    events: events.map((e) => projectionEvent(e, clock)),
  };
}
