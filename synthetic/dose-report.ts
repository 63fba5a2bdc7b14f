import {
  patientAgeYears,
  type CtDose,
  type CtEvent,
  type DeviceInfo,
  type DoseReport,
  type ObserverContext,
  type PatientInfo,
  type RadiopharmaceuticalAdministration,
  type RadiopharmaceuticalDose,
  type ReportContext,
  type StudyInfo,
} from '../ingest/index.ts';
import { TC99M_HALF_LIFE_S } from './catalogue.ts';
import { Nm, Value } from './codes.ts';
import { SERIES_DESCRIPTION, SopClass, seriesUidOf, sopInstanceUidOf, studyIdOf } from './dicom-writer.ts';
import { codeOf, localIsoOf, stored } from './dose-report-values.ts';
import type { RegionModel, Room } from './model.ts';
import { patientAt, patientInfoAt, type Patient } from './patients.ts';
import { projectionDose } from './dose-report-projection.ts';
import type { ZonedClock } from './time.ts';
import type { SynthAdministration, SynthCtEvent, SynthExam, SynthProjectionEvent } from './types.ts';

/**
 * The normalised dose report (ingest's DoseReport) of a synthetic exam: what Kerma's extractors read
 * from the exam's DICOM file (dicom-writer.ts, report-content.ts), built without writing or parsing
 * that file, for the direct loader, which turns it into rows with the ingest store's own functions.
 * Every number is the value read back from the DS text the writer puts in the file. The synthetic
 * test holds this equal to the extractors' report for every kind of exam: change both together.
 */
export function synthDoseReport(
  model: RegionModel,
  exam: SynthExam,
  clock: ZonedClock,
  patient: Patient = patientAt(model, exam.patientIndex),
): DoseReport {
  const local = localIsoOf(clock, exam.startUtcMs);
  const modality = exam.procedure.modality;
  const document = DOCUMENTS[modality];
  // Literals with every field written out, not spreads of shared parts: copying properties one by
  // one made building a report several times slower, and the direct loader builds one per exam.
  return {
    sourceKind: document.sourceKind,
    modality,
    sopClassUid: document.sopClassUid,
    sopInstanceUid: sopInstanceUidOf(model, exam),
    templateId: document.templateId,
    study: studyInfo(model, exam, local),
    patient: patientInfo(model, exam, patient, local.slice(0, 10)),
    device: roomDevice(exam.room),
    doseReport: modality === 'NM' ? nmContext() : xrayContext(exam, clock),
    ct: modality === 'CT' ? ctDose(exam.events as SynthCtEvent[], clock) : undefined,
    projection:
      modality === 'RF' || modality === 'DX' || modality === 'MG'
        ? projectionDose(modality, exam.events as SynthProjectionEvent[], clock)
        : undefined,
    radiopharmaceutical:
      modality === 'NM' ? radiopharmaceuticalDose(exam, exam.events as SynthAdministration[], clock) : undefined,
    warnings: [],
  };
}

/** The document the writer makes for each modality (dicom-writer.ts contentOf) and the extractor that reads it. */
const DOCUMENTS = {
  CT: { sourceKind: 'ct-rdsr', sopClassUid: SopClass.xrayDoseSr, templateId: '10011' },
  RF: { sourceKind: 'projection-rdsr', sopClassUid: SopClass.xrayDoseSr, templateId: '10001' },
  DX: { sourceKind: 'projection-rdsr', sopClassUid: SopClass.xrayDoseSr, templateId: '10001' },
  MG: { sourceKind: 'projection-rdsr', sopClassUid: SopClass.xrayDoseSr, templateId: '10001' },
  NM: { sourceKind: 'radiopharmaceutical-rdsr', sopClassUid: SopClass.radiopharmaceuticalDoseSr, templateId: '10021' },
} as const satisfies Record<
  SynthExam['procedure']['modality'],
  Pick<DoseReport, 'sourceKind' | 'templateId'> & { sopClassUid: string }
>;

/** The patient module (dicom-writer.ts patientModule) as read: the exam's weight and size, the age at the study date. */
function patientInfo(model: RegionModel, exam: SynthExam, patient: Patient, studyDate: string): PatientInfo {
  const info = patientInfoAt(model, patient, exam.trust);
  return {
    patientName: info.patientName,
    patientId: info.patientId,
    issuerOfPatientId: info.issuerOfPatientId,
    otherPatientIds: info.otherPatientIds,
    patientBirthDate: info.patientBirthDate,
    patientSex: info.patientSex,
    patientAge: undefined,
    patientAgeYears: patientAgeYears(info.patientBirthDate, studyDate, undefined),
    patientWeightKg: stored(exam.patientWeightKg),
    patientSizeM: stored(exam.patientHeightM),
  };
}

/** `local`: the study's start, device-local ISO. */
function studyInfo(model: RegionModel, exam: SynthExam, local: string): StudyInfo {
  const procedureCode = codeOf(exam.procedure.code);
  return {
    studyInstanceUid: exam.studyUid,
    seriesInstanceUid: seriesUidOf(model, exam),
    studyId: studyIdOf(exam),
    accessionNumber: exam.accessionNumber,
    studyDate: local.slice(0, 10),
    studyTime: local.slice(11),
    studyDescription: exam.procedure.name,
    seriesDescription: SERIES_DESCRIPTION,
    procedureCode,
    procedureCodeMeaning: procedureCode.meaning,
    requestedProcedureCodeMeaning: undefined,
    referringPhysicianName: undefined,
    performingPhysicianName: undefined,
    nameOfPhysicianReadingStudy: undefined,
    operatorName: undefined,
  };
}

/** The room as the header's General Equipment module and the SR's device observer describe it. */
export function roomDevice(room: Room): DeviceInfo {
  return {
    manufacturer: room.manufacturer,
    manufacturerModelName: room.model,
    stationName: room.stationName,
    deviceSerialNumber: room.serialNumber,
    softwareVersions: room.softwareVersions,
    institutionName: room.hospital,
    institutionAddress: undefined,
    institutionalDepartmentName: room.department,
    deviceObserverUid: room.deviceObserverUid,
  };
}

/** TID 1002 device observer (report-content.ts deviceObserver). */
export function deviceObserver(room: Room): ObserverContext {
  return {
    observerType: codeOf(Value.device),
    deviceObserverUid: room.deviceObserverUid,
    deviceObserverName: room.stationName,
    deviceObserverManufacturer: room.manufacturer,
    deviceObserverModelName: room.model,
    deviceObserverSerialNumber: room.serialNumber,
    deviceObserverPhysicalLocationDuringObservation: undefined,
    deviceRoleInProcedure: undefined,
    personObserverName: undefined,
  };
}

/** The root rows of TID 10011 / 10001 (report-content.ts ctContent, projectionContent). */
function xrayContext(exam: SynthExam, clock: ZonedClock): ReportContext {
  const modality = exam.procedure.modality;
  const procedure =
    modality === 'CT' ? Value.ctProcedure : modality === 'MG' ? Value.mammographyProcedure : Value.projectionProcedure;
  const deviceType = modality === 'RF' ? Value.fluoroGuided : modality === 'DX' ? Value.integrated : undefined;
  const end = exam.events.reduce((latest, e) => Math.max(latest, e.startUtcMs), exam.startUtcMs) + 60_000;
  return {
    procedureReported: codeOf(procedure),
    hasIntent: codeOf(Value.diagnosticIntent),
    acquisitionDeviceType: deviceType && codeOf(deviceType),
    startOfXrayIrradiation: localIsoOf(clock, exam.startUtcMs),
    endOfXrayIrradiation: localIsoOf(clock, end),
    scopeOfAccumulation: codeOf(Value.study),
    scopeUid: exam.studyUid,
    sourceOfDoseInformation: [codeOf(Value.automated)],
    xraySourceDataAvailable: undefined,
    xrayDetectorDataAvailable: undefined,
    xrayMechanicalDataAvailable: undefined,
    associatedProcedure: undefined,
    comment: undefined,
    observers: [deviceObserver(exam.room)],
    language: undefined,
  };
}

/** The root rows of TID 10021 (report-content.ts radiopharmaceuticalContent). */
function nmContext(): ReportContext {
  return {
    procedureReported: undefined,
    hasIntent: codeOf(Nm.diagnosticIntent),
    acquisitionDeviceType: undefined,
    startOfXrayIrradiation: undefined,
    endOfXrayIrradiation: undefined,
    scopeOfAccumulation: undefined,
    scopeUid: undefined,
    sourceOfDoseInformation: [],
    xraySourceDataAvailable: undefined,
    xrayDetectorDataAvailable: undefined,
    xrayMechanicalDataAvailable: undefined,
    associatedProcedure: codeOf(Nm.nmProcedure),
    comment: undefined,
    observers: [],
    language: undefined,
  };
}

const CT_ACQUISITION_TYPES = {
  localiser: Value.constantAngle,
  spiral: Value.spiral,
  sequenced: Value.sequenced,
} as const;

function ctEvent(e: SynthCtEvent, clock: ZonedClock): CtEvent {
  const localiser = e.acquisition === 'localiser';
  return {
    irradiationEventUid: e.uid,
    dateTimeStarted: localIsoOf(clock, e.startUtcMs),
    acquisitionProtocol: e.protocol,
    targetRegion: codeOf(e.target),
    ctAcquisitionType: codeOf(CT_ACQUISITION_TYPES[e.acquisition]),
    procedureContext: undefined,
    comment: undefined,
    exposureTimeS: stored(e.exposureTimeS),
    scanningLengthMm: stored(e.scanningLengthMm),
    lengthOfReconstructableVolumeMm: undefined,
    exposedRangeMm: undefined,
    topZLocationOfReconstructableVolumeMm: undefined,
    bottomZLocationOfReconstructableVolumeMm: undefined,
    topZLocationOfScanningLengthMm: undefined,
    bottomZLocationOfScanningLengthMm: undefined,
    frameOfReferenceUid: undefined,
    nominalSingleCollimationWidthMm: 0.625,
    nominalTotalCollimationWidthMm: localiser ? 0.625 : 40,
    pitchFactor: localiser ? undefined : stored(e.pitchFactor),
    numberOfXraySources: 1,
    xraySources: [
      {
        identificationOfXraySource: 'A',
        kvp: stored(e.kvp),
        maximumXrayTubeCurrentMa: stored(Math.max(e.tubeCurrentMa, 40)),
        xrayTubeCurrentMa: stored(e.tubeCurrentMa),
        exposureTimePerRotationS: e.headPhantom ? 1 : 0.5,
        xrayFilterAluminumEquivalentMm: undefined,
      },
    ],
    ctdiVolMgy: stored(e.ctdiVolMgy),
    ctdiwPhantomType: codeOf(e.headPhantom ? Value.headPhantom : Value.bodyPhantom),
    dlpMgyCm: stored(e.dlpMgyCm),
    effectiveDoseMsv: undefined,
    sizeSpecificDoseEstimateMgy: undefined,
    waterEquivalentDiameterMm: undefined,
    doseCheck: undefined,
    deviceParticipant: undefined,
    personParticipants: [],
  };
}

function ctDose(events: readonly SynthCtEvent[], clock: ZonedClock): CtDose {
  return {
    accumulated: {
      totalNumberOfIrradiationEvents: events.length,
      ctDoseLengthProductTotalMgyCm: stored(events.reduce((sum, e) => sum + e.dlpMgyCm, 0)),
      ctEffectiveDoseTotalMsv: undefined,
      comment: undefined,
    },
    events: events.map((e) => ctEvent(e, clock)),
  };
}

function administration(a: SynthAdministration, room: Room, clock: ZonedClock): RadiopharmaceuticalAdministration {
  const activityMbq = stored(a.activityMbq);
  return {
    radiopharmaceuticalAdministrationEventUid: a.uid,
    radiopharmaceuticalAgent: codeOf(a.agent),
    radiopharmaceuticalAgentString: undefined,
    radionuclide: codeOf(Nm.technetium99m),
    radionuclideHalfLifeS: stored(TC99M_HALF_LIFE_S),
    radiopharmaceuticalSpecificActivityBqPerMol: undefined,
    radiopharmaceuticalStartDatetime: localIsoOf(clock, a.startUtcMs),
    radiopharmaceuticalStopDatetime: undefined,
    administeredActivityMbq: activityMbq,
    effectiveDoseMsv: undefined,
    radiopharmaceuticalVolumeMl: undefined,
    preAdministrationMeasuredActivityMbq: activityMbq,
    preActivityMeasurementDevice: codeOf(Nm.doseCalibrator),
    postAdministrationMeasuredActivityMbq: undefined,
    postActivityMeasurementDevice: undefined,
    routeOfAdministration: codeOf(Nm.intravenous),
    siteOf: undefined,
    laterality: undefined,
    estimatedExtravasationActivity: undefined,
    extravasationSymptoms: [],
    brandName: undefined,
    radiopharmaceuticalDispenseUnitIdentifier: undefined,
    prescriptionIdentifier: undefined,
    lotIdentifiers: [],
    reagentVialIdentifiers: [],
    radionuclideIdentifiers: [],
    drugProductIdentifier: undefined,
    billingCode: undefined,
    comment: undefined,
    personParticipant: undefined,
    organDoses: [],
    // The assay's device observer is the room (report-content.ts assay).
    preAdministrationObservers: [deviceObserver(room)],
    postAdministrationObservers: [],
    observers: [],
  };
}

function radiopharmaceuticalDose(
  exam: SynthExam,
  administrations: readonly SynthAdministration[],
  clock: ZonedClock,
): RadiopharmaceuticalDose {
  return {
    administrations: administrations.map((a) => administration(a, exam.room, clock)),
    patientCharacteristics: undefined,
    imageSeries: [],
  };
}
