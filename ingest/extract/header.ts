import type { DicomDataset } from '../dicom/dataset.ts';
import { readCode } from '../dicom/sr.ts';
import { Tag } from '../dicom/tags.ts';
import type { DeviceInfo, DoseReport, PatientInfo, StudyInfo } from './types.ts';
import { formatDate, formatTime, formatUtcOffset, joinPersonNames, patientAgeYears } from './values.ts';

/**
 * Study, patient and device attributes from the object's own header (PS3.3 C.7.2.1 General Study,
 * C.7.1.1 Patient, C.7.5.1 General Equipment), common to every source kind.
 */
export interface HeaderOptions {
  /** RDSRs fall back to Content Date, then Series Date, when Study Date is missing. */
  readonly dateFallbacks: boolean;
}

export function readStudyInfo(ds: DicomDataset, options: HeaderOptions): StudyInfo {
  const studyInstanceUid = ds.string(Tag.StudyInstanceUID)?.replace(/\0/g, '') ?? '';
  let date = ds.string(Tag.StudyDate);
  let time = ds.string(Tag.StudyTime);
  if (options.dateFallbacks && !formatDate(date)) {
    date = ds.string(Tag.ContentDate) ?? ds.string(Tag.SeriesDate);
    time = time ?? ds.string(Tag.ContentTime) ?? ds.string(Tag.SeriesTime);
  }
  const procedureCode = readCode(ds.item(Tag.ProcedureCodeSequence));
  const requestAttributes = ds.item(Tag.RequestAttributesSequence);
  const utcOffset = formatUtcOffset(ds.string(Tag.TimezoneOffsetFromUTC));
  return {
    studyInstanceUid,
    seriesInstanceUid: ds.string(Tag.SeriesInstanceUID),
    studyId: ds.string(Tag.StudyID),
    accessionNumber: ds.string(Tag.AccessionNumber),
    studyDate: formatDate(date),
    studyTime: formatTime(time),
    ...(utcOffset ? { utcOffset } : {}),
    studyDescription: ds.string(Tag.StudyDescription),
    seriesDescription: ds.string(Tag.SeriesDescription),
    procedureCode,
    procedureCodeMeaning: procedureCode?.meaning || undefined,
    requestedProcedureCodeMeaning:
      readCode(ds.item(Tag.RequestedProcedureCodeSequence))?.meaning ||
      requestAttributes?.string(Tag.RequestedProcedureDescription) ||
      ds.string(Tag.RequestedProcedureDescription),
    referringPhysicianName: joinPersonNames(ds.strings(Tag.ReferringPhysicianName)),
    performingPhysicianName: joinPersonNames(ds.strings(Tag.PerformingPhysicianName)),
    nameOfPhysicianReadingStudy: joinPersonNames(ds.strings(Tag.NameOfPhysiciansReadingStudy)),
    operatorName: joinPersonNames(ds.strings(Tag.OperatorsName)),
  };
}

export function readPatientInfo(ds: DicomDataset, studyDate: string | undefined): PatientInfo {
  const patientBirthDate = formatDate(ds.string(Tag.PatientBirthDate));
  const patientAge = ds.string(Tag.PatientAge);
  return {
    patientName: joinPersonNames(ds.strings(Tag.PatientName)),
    patientId: ds.string(Tag.PatientID),
    issuerOfPatientId: ds.string(Tag.IssuerOfPatientID),
    otherPatientIds: ds
      .items(Tag.OtherPatientIDsSequence)
      .map((item) => ({ id: item.string(Tag.PatientID) ?? '', issuer: item.string(Tag.IssuerOfPatientID) }))
      .filter((other) => other.id !== ''),
    patientBirthDate,
    patientSex: ds.string(Tag.PatientSex),
    patientAge,
    patientAgeYears: patientAgeYears(patientBirthDate, studyDate, patientAge),
    patientWeightKg: positive(ds.decimal(Tag.PatientWeight)),
    patientSizeM: positive(ds.decimal(Tag.PatientSize)),
  };
}

/** Weight and size of 0 mean "not measured" on most modalities. */
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

export function readDeviceInfo(ds: DicomDataset, deviceObserverUid?: string): DeviceInfo {
  return {
    manufacturer: ds.string(Tag.Manufacturer),
    manufacturerModelName: ds.string(Tag.ManufacturerModelName),
    stationName: ds.string(Tag.StationName),
    deviceSerialNumber: ds.string(Tag.DeviceSerialNumber),
    softwareVersions:
      ds
        .strings(Tag.SoftwareVersions)
        .filter((v) => v !== '')
        .join('\\') || undefined,
    institutionName: ds.string(Tag.InstitutionName),
    institutionAddress: ds.text(Tag.InstitutionAddress),
    institutionalDepartmentName: ds.string(Tag.InstitutionalDepartmentName),
    deviceObserverUid,
  };
}

/** What a header-based extractor contributes; the rest of its report comes from the header itself. */
export interface HeaderReportContent {
  readonly sourceKind: DoseReport['sourceKind'];
  readonly modality: DoseReport['modality'];
  readonly study: StudyInfo;
  readonly doseReport: DoseReport['doseReport'];
  readonly ct?: DoseReport['ct'];
  readonly projection?: DoseReport['projection'];
  readonly radiopharmaceutical?: DoseReport['radiopharmaceutical'];
  /** The extractor's own findings, after the parser's. */
  readonly warnings: readonly string[];
}

/**
 * The dose report of an object read from its own header (image and dose-screen extractors): no
 * template, patient and equipment from the same header as the study.
 */
export function headerDoseReport(
  ds: DicomDataset,
  identity: { readonly sopClassUid: string; readonly sopInstanceUid: string },
  content: HeaderReportContent,
): DoseReport {
  return {
    sourceKind: content.sourceKind,
    modality: content.modality,
    sopClassUid: identity.sopClassUid,
    sopInstanceUid: identity.sopInstanceUid,
    templateId: undefined,
    study: content.study,
    patient: readPatientInfo(ds, content.study.studyDate),
    device: readDeviceInfo(ds),
    doseReport: content.doseReport,
    ct: content.ct,
    projection: content.projection,
    radiopharmaceutical: content.radiopharmaceutical,
    warnings: [...ds.warnings, ...content.warnings],
  };
}
