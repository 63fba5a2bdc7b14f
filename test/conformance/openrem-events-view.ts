import type { CtEvent, DoseReport, ProjectionAccumulated, ProjectionEvent } from '../../ingest/index.ts';
import { GYCM2_TO_GYM2, codeView as code, scale } from './openrem-view.ts';

/** Peer-shaped accumulated data and events (see openrem-view.ts for the conventions). */
type View = Record<string, unknown>;

function ctEvent(e: CtEvent): View {
  return {
    irradiationEventUid: e.irradiationEventUid,
    dateTimeStarted: e.dateTimeStarted,
    acquisitionProtocol: e.acquisitionProtocol,
    targetRegion: code(e.targetRegion),
    ctAcquisitionType: code(e.ctAcquisitionType),
    procedureContext: code(e.procedureContext),
    comment: e.comment,
    exposureTime: e.exposureTimeS,
    scanningLength: { scanningLength: e.scanningLengthMm },
    nominalSingleCollimationWidth: e.nominalSingleCollimationWidthMm,
    nominalTotalCollimationWidth: e.nominalTotalCollimationWidthMm,
    pitchFactor: e.pitchFactor,
    numberOfXraySources: e.numberOfXraySources,
    meanCtdivol: e.ctdiVolMgy,
    ctdiwPhantomType: code(e.ctdiwPhantomType),
    dlp: e.dlpMgyCm,
    xraySources: e.xraySources.map((s) => ({
      identificationOfXraySource: s.identificationOfXraySource,
      kvp: s.kvp,
      maximumXrayTubeCurrent: s.maximumXrayTubeCurrentMa,
      xrayTubeCurrent: s.xrayTubeCurrentMa,
      exposureTimePerRotation: s.exposureTimePerRotationS,
    })),
    deviceParticipant: e.deviceParticipant
      ? {
          deviceManufacturer: e.deviceParticipant.deviceManufacturer,
          deviceModelName: e.deviceParticipant.deviceModelName,
          deviceSerialNumber: e.deviceParticipant.deviceSerialNumber,
        }
      : undefined,
    doseCheck: e.doseCheck
      ? {
          dlpAlertValueConfigured: e.doseCheck.dlpAlertValueConfigured,
          ctdivolAlertValueConfigured: e.doseCheck.ctdivolAlertValueConfigured,
          dlpAlertValue: e.doseCheck.dlpAlertValueMgyCm,
          ctdivolAlertValue: e.doseCheck.ctdivolAlertValueMgy,
          accumulatedDlpForwardEstimate: e.doseCheck.accumulatedDlpForwardEstimateMgyCm,
          accumulatedCtdivolForwardEstimate: e.doseCheck.accumulatedCtdivolForwardEstimateMgy,
          alertPersonParticipant: { personName: e.doseCheck.alertPersonParticipant?.personName },
          dlpNotificationValueConfigured: e.doseCheck.dlpNotificationValueConfigured,
          ctdivolNotificationValueConfigured: e.doseCheck.ctdivolNotificationValueConfigured,
        }
      : undefined,
  };
}

/** The peer keeps per-pulse values in child tables and shows one row when there is one value. */
function single(values: readonly number[]): number | undefined {
  return values.length === 1 ? values[0] : values.length === 0 ? undefined : values[0];
}

function projectionEvent(e: ProjectionEvent, fromMammoImage: boolean): View {
  const s = e.source;
  const m = e.mechanical;
  return {
    irradiationEventUid: e.irradiationEventUid,
    dateTimeStarted: e.dateTimeStarted,
    acquisitionPlane: code(e.acquisitionPlane),
    irradiationEventType: code(e.irradiationEventType),
    acquisitionProtocol: e.acquisitionProtocol,
    anatomicalStructure: code(e.anatomicalStructure),
    laterality: code(e.laterality),
    imageView: code(e.imageView),
    targetRegion: code(e.targetRegion),
    patientTableRelationshipCid: code(e.patientTableRelationship),
    patientOrientationCid: code(e.patientOrientation),
    patientOrientationModifierCid: code(e.patientOrientationModifier),
    doseAreaProduct: scale(e.dapGyCm2, GYCM2_TO_GYM2),
    halfValueLayer: e.halfValueLayerMm,
    entranceExposureAtRp: e.entranceExposureAtRpMgy,
    referencePointDefinition: code(e.referencePointDefinitionCode),
    percentFibroglandularTissue: e.percentFibroglandularTissue,
    comment: e.comment,
    source: {
      doseRp: s.doseRpGy,
      averageGlandularDose: s.averageGlandularDoseMgy,
      numberOfPulses: s.numberOfPulses,
      kvp: single(s.kvp),
      kvpAll: s.kvp,
      xrayTubeCurrent: single(s.xrayTubeCurrentMa),
      xrayTubeCurrentAll: s.xrayTubeCurrentMa,
      pulseWidthAll: s.pulseWidthMs,
      exposure: single(s.exposureUas),
      averageXrayTubeCurrent: s.averageXrayTubeCurrentMa,
      exposureTime: s.exposureTimeMs,
      irradiationDuration: s.irradiationDurationS,
      focalSpotSize: s.focalSpotSizeMm,
      filters: s.filters.map((f) => ({
        xrayFilterType: code(f.xrayFilterType),
        xrayFilterMaterial: code(f.xrayFilterMaterial),
        xrayFilterThicknessMinimum: f.xrayFilterThicknessMinimumMm,
        xrayFilterThicknessMaximum: f.xrayFilterThicknessMaximumMm,
      })),
      anodeTargetMaterial: code(s.anodeTargetMaterial),
      collimatedFieldArea: s.collimatedFieldAreaM2,
      collimatedFieldHeight: s.collimatedFieldHeightMm,
      collimatedFieldWidth: s.collimatedFieldWidthMm,
      iiFieldSize: s.iiFieldSizeMm,
      grids: s.grids.map((g) => ({ xrayGrid: code(g) })),
      gridFocalDistance: s.gridFocalDistanceMm,
      exposureControlMode: s.exposureControlMode,
      deviceParticipant: s.deviceParticipant
        ? {
            deviceRoleInProcedure: code(s.deviceParticipant.deviceRoleInProcedure),
            deviceName: s.deviceParticipant.deviceName,
            deviceManufacturer: s.deviceParticipant.deviceManufacturer,
            deviceModelName: s.deviceParticipant.deviceModelName,
            deviceSerialNumber: s.deviceParticipant.deviceSerialNumber,
          }
        : undefined,
    },
    detector: { ...e.detector },
    mechanical: {
      positionerPrimaryAngle: m.positionerPrimaryAngleDeg,
      // Peer quirk: its mammography image importer files Positioner Primary Angle as column angulation.
      columnAngulation: m.columnAngulationDeg ?? (fromMammoImage ? m.positionerPrimaryAngleDeg : undefined),
      compressionThickness: m.compressionThicknessMm,
      compressionForce: m.compressionForceN,
      magnificationFactor: m.magnificationFactor,
      crdrMechanicalConfiguration: code(m.crdrMechanicalConfiguration),
      distances: {
        distanceSourceToDetector: m.distances.distanceSourceToDetectorMm,
        distanceSourceToEntranceSurface: m.distances.distanceSourceToEntranceSurfaceMm,
      },
    },
  };
}

function projectionAccumulated(planes: readonly ProjectionAccumulated[]): View {
  const a = planes[0];
  return {
    fluoroDoseAreaProductTotal: scale(a?.fluoroDapTotalGyCm2, GYCM2_TO_GYM2),
    fluoroDoseRpTotal: a?.fluoroDoseRpTotalGy,
    totalFluoroTime: a?.totalFluoroTimeS,
    acquisitionDoseAreaProductTotal: scale(a?.acquisitionDapTotalGyCm2, GYCM2_TO_GYM2),
    acquisitionDoseRpTotal: a?.acquisitionDoseRpTotalGy,
    totalAcquisitionTime: a?.totalAcquisitionTimeS,
    doseAreaProductTotal: scale(a?.dapTotalGyCm2, GYCM2_TO_GYM2),
    doseRpTotal: a?.doseRpTotalGy,
    // A study imported alone is the only one in any accumulation window: its own totals.
    doseAreaProductTotalOverDeltaWeeks: scale(a?.dapTotalGyCm2, GYCM2_TO_GYM2),
    doseRpTotalOverDeltaWeeks: a?.doseRpTotalGy,
    totalNumberOfRadiographicFrames: a?.totalNumberOfRadiographicFrames,
    referencePointDefinition: a?.referencePointDefinition,
    referencePointDefinitionCode: code(a?.referencePointDefinitionCode),
    mammography: planes.flatMap((p) =>
      p.mammography.map((m) => ({
        laterality: code(m.laterality),
        accumulatedAverageGlandularDose: m.accumulatedAverageGlandularDoseMgy,
      })),
    ),
  };
}

export function eventsView(report: DoseReport): { accumulated: View | undefined; events: View[] } {
  if (report.ct) {
    const a = report.ct.accumulated;
    return {
      accumulated: {
        totalNumberOfIrradiationEvents: a.totalNumberOfIrradiationEvents,
        ctDoseLengthProductTotal: a.ctDoseLengthProductTotalMgyCm,
      },
      events: report.ct.events.map(ctEvent),
    };
  }
  if (report.projection) {
    const fromMammoImage = report.sourceKind === 'mg-image';
    return {
      accumulated: projectionAccumulated(report.projection.accumulated),
      events: report.projection.events.map((e) => projectionEvent(e, fromMammoImage)),
    };
  }
  return { accumulated: undefined, events: [] };
}
