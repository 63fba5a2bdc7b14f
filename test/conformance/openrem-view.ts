import { createHash } from 'node:crypto';
import { summariseReport, type Code, type DoseReport, type ObserverContext } from '../../ingest/index.ts';
import type { PatientIdSettings } from './expected.ts';

/**
 * The peer-shaped view of one Kerma dose report: the path vocabulary of expected.json (OpenREM model
 * names, OpenREM storage units) built from Kerma's model. This file is the mapping; every key
 * present here is a "mapped" path. Unit changes are explicit: Kerma stores DAP in Gy·cm², the peer
 * in Gy·m² (÷10⁴).
 */
type View = Record<string, unknown>;

const GYCM2_TO_GYM2 = 1e-4;
const scale = (value: number | undefined, factor: number): number | undefined =>
  value === undefined ? undefined : value * factor;

function code(value: Code | undefined): View | undefined {
  return value ? { codeMeaning: value.meaning, codeValue: value.value, codingScheme: value.scheme } : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The peer stores identifiers only by setting: absent, in clear, or as SHA-256 of the UTF-8 value. */
function identifier(value: string | undefined, stored: boolean, hashed: boolean): string | undefined {
  if (!stored || value === undefined) return undefined;
  return hashed ? sha256(value) : value;
}

function observerRow(o: ObserverContext): View {
  return {
    observerType: code(o.observerType),
    deviceObserverUid: o.deviceObserverUid,
    deviceObserverName: o.deviceObserverName,
    deviceObserverManufacturer: o.deviceObserverManufacturer,
    deviceObserverModelName: o.deviceObserverModelName,
    deviceObserverSerialNumber: o.deviceObserverSerialNumber,
    deviceObserverPhysicalLocationDuringObservation: o.deviceObserverPhysicalLocationDuringObservation,
    deviceRoleInProcedure: code(o.deviceRoleInProcedure),
  };
}

/**
 * Peer quirk: one observer row per "Observer Type" item, each filled from every root observer item
 * with the last occurrence winning, so all rows read the same. Kerma keeps the observers apart.
 */
function peerObserverRows(observers: readonly ObserverContext[]): View[] {
  const merged: View = {};
  for (const o of observers) {
    for (const [key, value] of Object.entries(observerRow(o))) if (value !== undefined) merged[key] = value;
  }
  return observers.map(() => ({ ...observerRow(observers[0] ?? ({} as ObserverContext)), ...merged }));
}

function study(report: DoseReport, settings: PatientIdSettings): View {
  const s = report.study;
  const summary = summariseReport(report);
  return {
    studyInstanceUid: s.studyInstanceUid,
    seriesInstanceUid: report.sourceKind.endsWith('rdsr') ? s.seriesInstanceUid : undefined,
    studyId: s.studyId,
    accessionNumber: identifier(s.accessionNumber, true, settings.accession_hashed),
    studyDate: s.studyDate,
    studyTime: s.studyTime,
    // Peer quirk: its Philips dose-info importer files the protocol name as the study description.
    studyDescription: report.sourceKind === 'philips-ct-dose-sc' ? s.procedureCodeMeaning : s.studyDescription,
    procedureCodeMeaning: s.procedureCodeMeaning,
    requestedProcedureCodeMeaning: s.requestedProcedureCodeMeaning,
    referringPhysicianName: s.referringPhysicianName,
    performingPhysicianName: s.performingPhysicianName,
    nameOfPhysicianReadingStudy: s.nameOfPhysicianReadingStudy,
    operatorName: s.operatorName,
    modalityType: report.modality,
    numberOfEvents: summary.eventCount,
    totalDlp: summary.totalDlpMgyCm,
    numberOfAxial: summary.ctAcquisitionCounts?.axial,
    numberOfSpiral: summary.ctAcquisitionCounts?.spiral,
    numberOfConstAngle: summary.ctAcquisitionCounts?.constantAngle,
    numberOfStationary: summary.ctAcquisitionCounts?.stationary,
    numberOfPlanes: summary.numberOfPlanes,
    totalDap: scale(summary.totalDapGyCm2, GYCM2_TO_GYM2),
    totalDapA: scale(summary.totalDapPlaneAGyCm2, GYCM2_TO_GYM2),
    totalRpDoseA: summary.totalDoseRpPlaneAGy,
    totalAgdLeft: summary.totalAgdLeftMgy,
    totalAgdRight: summary.totalAgdRightMgy,
  };
}

function patient(report: DoseReport, settings: PatientIdSettings, notPatient: string | undefined): View {
  const p = report.patient;
  return {
    patientName: identifier(p.patientName, settings.name_stored, settings.name_hashed),
    patientId: identifier(p.patientId, settings.id_stored, settings.id_hashed),
    patientBirthDate: settings.dob_stored ? p.patientBirthDate : undefined,
    patientSex: p.patientSex,
    patientAge: p.patientAge,
    patientAgeDecimal: p.patientAgeYears,
    patientWeight: p.patientWeightKg,
    patientSize: p.patientSizeM,
    notPatientIndicator: notPatient,
  };
}

function device(report: DoseReport): View {
  const d = report.device;
  return {
    manufacturer: d.manufacturer,
    manufacturerModelName: d.manufacturerModelName,
    stationName: d.stationName,
    deviceSerialNumber: d.deviceSerialNumber,
    softwareVersions: d.softwareVersions,
    institutionName: d.institutionName,
    institutionAddress: d.institutionAddress,
    institutionalDepartmentName: d.institutionalDepartmentName,
    displayName: [d.institutionName, d.stationName].filter(Boolean).join(' ') || 'Blank',
    uniqueEquipmentName: { deviceObserverUid: report.sourceKind.endsWith('rdsr') ? d.deviceObserverUid : undefined },
  };
}

function doseReport(report: DoseReport): View | undefined {
  const r = report.doseReport;
  if (!r) return undefined;
  return {
    procedureReported: code(r.procedureReported),
    hasIntent: code(r.hasIntent),
    startOfXrayIrradiation: r.startOfXrayIrradiation,
    endOfXrayIrradiation: r.endOfXrayIrradiation,
    scopeOfAccumulation: code(r.scopeOfAccumulation),
    sourceOfDoseInformation: code(r.sourceOfDoseInformation[0]),
    xraySourceDataAvailable: code(r.xraySourceDataAvailable),
    xrayDetectorDataAvailable: code(r.xrayDetectorDataAvailable),
    xrayMechanicalDataAvailable: code(r.xrayMechanicalDataAvailable),
  };
}

export interface ViewOptions {
  readonly settings: PatientIdSettings;
  readonly notPatientIndicator: string | undefined;
}

export { code as codeView, peerObserverRows, scale, GYCM2_TO_GYM2 };

export function baseView(report: DoseReport, options: ViewOptions): View {
  const observers = report.doseReport?.observers ?? [];
  const rows = peerObserverRows(observers);
  return {
    study: study(report, options.settings),
    patient: patient(report, options.settings, options.notPatientIndicator),
    device: device(report),
    doseReport: doseReport(report),
    observer: rows.length === 1 ? rows[0] : undefined,
    observers: rows,
    processedObjects: { sopInstanceUids: [report.sopInstanceUid] },
  };
}
