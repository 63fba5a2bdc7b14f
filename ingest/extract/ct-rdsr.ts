import type { ContentItem } from '../dicom/sr.ts';
import { C } from './concepts.ts';
import { childCode, childText, readDeviceParticipant, readPersonParticipant } from './sr-context.ts';
import type { CtAccumulated, CtDose, CtDoseCheck, CtEvent, CtXraySource } from './types.ts';
import { numericReader } from './units.ts';
import { dateTimeStartedOffset, formatDateTime } from './values.ts';

/** PS3.16 TID 10011 CT Radiation Dose: accumulated data (TID 10012) and every CT Acquisition (TID 10013). */
export function readCtDose(root: ContentItem, warnings: string[]): CtDose {
  return {
    accumulated: readCtAccumulated(root.child(C.ctAccumulatedDoseData), warnings),
    // Document order is storage order: it is the order the device wrote, not always chronological.
    events: root.all(C.ctAcquisition).map((event) => readCtEvent(event, warnings)),
  };
}

function readCtAccumulated(container: ContentItem | undefined, warnings: string[]): CtAccumulated {
  const n = numericReader(container, warnings);
  return {
    totalNumberOfIrradiationEvents: n(C.totalNumberOfIrradiationEvents),
    ctDoseLengthProductTotalMgyCm: n(C.ctDoseLengthProductTotal, 'dlpMgyCm'),
    ctEffectiveDoseTotalMsv: n(C.ctEffectiveDoseTotal),
    comment: childText(container, C.comment),
  };
}

function readCtEvent(event: ContentItem, warnings: string[]): CtEvent {
  const parameters = event.child(C.ctAcquisitionParameters);
  const dose = event.child(C.ctDose);
  const p = numericReader(parameters, warnings);
  const d = numericReader(dose, warnings);
  return {
    irradiationEventUid: childText(event, C.irradiationEventUid),
    dateTimeStarted: formatDateTime(childText(event, C.dateTimeStarted)),
    ...dateTimeStartedOffset(childText(event, C.dateTimeStarted)),
    acquisitionProtocol: childText(event, C.acquisitionProtocol),
    targetRegion: childCode(event, C.targetRegion),
    ctAcquisitionType: childCode(event, C.ctAcquisitionType),
    procedureContext: childCode(event, C.procedureContext),
    comment: childText(event, C.comment),
    exposureTimeS: p(C.exposureTime, 'timeS'),
    scanningLengthMm: p(C.scanningLength, 'lengthMm'),
    lengthOfReconstructableVolumeMm: p(C.lengthOfReconstructableVolume, 'lengthMm'),
    exposedRangeMm: p(C.exposedRange, 'lengthMm'),
    topZLocationOfReconstructableVolumeMm: p(C.topZLocationOfReconstructableVolume, 'lengthMm'),
    bottomZLocationOfReconstructableVolumeMm: p(C.bottomZLocationOfReconstructableVolume, 'lengthMm'),
    topZLocationOfScanningLengthMm: p(C.topZLocationOfScanningLength, 'lengthMm'),
    bottomZLocationOfScanningLengthMm: p(C.bottomZLocationOfScanningLength, 'lengthMm'),
    frameOfReferenceUid: childText(parameters, C.frameOfReferenceUid),
    nominalSingleCollimationWidthMm: p(C.nominalSingleCollimationWidth, 'lengthMm'),
    nominalTotalCollimationWidthMm: p(C.nominalTotalCollimationWidth, 'lengthMm'),
    pitchFactor: p(C.pitchFactor),
    numberOfXraySources: p(C.numberOfXraySources),
    xraySources: (parameters?.all(C.ctXraySourceParameters) ?? []).map((source) => readCtXraySource(source, warnings)),
    ctdiVolMgy: d(C.meanCtdivol, 'doseMgy'),
    ctdiwPhantomType: childCode(dose, C.ctdiwPhantomType),
    dlpMgyCm: d(C.dlp, 'dlpMgyCm'),
    effectiveDoseMsv: d(C.effectiveDose),
    sizeSpecificDoseEstimateMgy: d(C.sizeSpecificDoseEstimation, 'doseMgy'),
    waterEquivalentDiameterMm: d(C.waterEquivalentDiameter, 'lengthMm'),
    doseCheck: readDoseCheck(dose, warnings),
    deviceParticipant: readDeviceParticipant(event.child(C.deviceRoleInProcedure)),
    personParticipants: event.all(C.personName).flatMap((item) => readPersonParticipant(item) ?? []),
  };
}

function readCtXraySource(source: ContentItem, warnings: string[]): CtXraySource {
  const n = numericReader(source, warnings);
  return {
    identificationOfXraySource: childText(source, C.identificationOfXraySource),
    kvp: n(C.kvp),
    maximumXrayTubeCurrentMa: n(C.maximumXrayTubeCurrent, 'currentMa'),
    xrayTubeCurrentMa: n(C.xrayTubeCurrent, 'currentMa'),
    exposureTimePerRotationS: n(C.exposureTimePerRotation, 'timeS'),
    xrayFilterAluminumEquivalentMm: n(C.xrayFilterAluminumEquivalent, 'lengthMm'),
  };
}

function yesNo(container: ContentItem | undefined, wanted: (typeof C)[keyof typeof C]): boolean | undefined {
  const code = childCode(container, wanted);
  if (!code) return undefined;
  return code.meaning.toLowerCase() === 'yes' || code.value === 'R-0038D' || code.value === '373066001';
}

/** PS3.16 TID 10015 CT Dose Check Details: alert and notification values and who proceeded. */
function readDoseCheck(dose: ContentItem | undefined, warnings: string[]): CtDoseCheck | undefined {
  const alert = dose?.child(C.doseCheckAlertDetails);
  const notification = dose?.child(C.doseCheckNotificationDetails);
  if (!alert && !notification) return undefined;
  const a = numericReader(alert, warnings);
  const n = numericReader(notification, warnings);
  return {
    dlpAlertValueConfigured: yesNo(alert, C.dlpAlertValueConfigured),
    ctdivolAlertValueConfigured: yesNo(alert, C.ctdivolAlertValueConfigured),
    dlpAlertValueMgyCm: a(C.dlpAlertValue, 'dlpMgyCm'),
    ctdivolAlertValueMgy: a(C.ctdivolAlertValue, 'doseMgy'),
    accumulatedDlpForwardEstimateMgyCm: a(C.accumulatedDlpForwardEstimate, 'dlpMgyCm'),
    accumulatedCtdivolForwardEstimateMgy: a(C.accumulatedCtdivolForwardEstimate, 'doseMgy'),
    alertReasonForProceeding: childText(alert, C.reasonForProceeding),
    alertPersonParticipant: readPersonParticipant(alert?.child(C.personName)),
    dlpNotificationValueConfigured: yesNo(notification, C.dlpNotificationValueConfigured),
    ctdivolNotificationValueConfigured: yesNo(notification, C.ctdivolNotificationValueConfigured),
    dlpNotificationValueMgyCm: n(C.dlpNotificationValue, 'dlpMgyCm'),
    ctdivolNotificationValueMgy: n(C.ctdivolNotificationValue, 'doseMgy'),
    dlpForwardEstimateMgyCm: n(C.dlpForwardEstimate, 'dlpMgyCm'),
    ctdivolForwardEstimateMgy: n(C.ctdivolForwardEstimate, 'doseMgy'),
    notificationReasonForProceeding: childText(notification, C.reasonForProceeding),
    notificationPersonParticipant: readPersonParticipant(notification?.child(C.personName)),
  };
}
