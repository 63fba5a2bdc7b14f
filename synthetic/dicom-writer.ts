import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { KERMA_IMPLEMENTATION_CLASS_UID, KERMA_IMPLEMENTATION_VERSION_NAME } from '../ingest/index.ts';
import { Concept, Nm } from './codes.ts';
import { uid, type RegionModel, type Trust } from './model.ts';
import { localIdOf, NHS_NUMBER_ISSUER, patientAt } from './patients.ts';
import { ctContent, projectionContent, radiopharmaceuticalContent, type LocalDateTime } from './report-content.ts';
import { encodePart10 } from './part10.ts';
import { codeItem, ds, type Dataset } from './sr-content.ts';
import { dicomDate, dicomDateTime, dicomTime, type ZonedClock } from './time.ts';
import type { SynthAdministration, SynthCtEvent, SynthExam, SynthProjectionEvent } from './types.ts';

/**
 * DICOM Part 10 dose reports of synthetic exams, written with dcmjs: an X-Ray Radiation Dose SR
 * (TID 10011 for CT, TID 10001 for fluoroscopy, radiography and mammography) or a
 * Radiopharmaceutical Radiation Dose SR (TID 10021) per exam, Explicit VR Little Endian. Output is a
 * pure function of the exam: the same seed gives the same bytes.
 */
const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const SopClass = {
  xrayDoseSr: '1.2.840.10008.5.1.4.1.1.88.67',
  radiopharmaceuticalDoseSr: '1.2.840.10008.5.1.4.1.1.88.68',
} as const;
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** UID kinds (see model.ts uid()): 2 study, 3 event, 4 series, 5 SOP instance. */
const SERIES_UID = 4;
const SOP_UID = 5;

export const seriesUidOf = (model: RegionModel, exam: SynthExam): string => uid(model, SERIES_UID, exam.sequence);
export const sopInstanceUidOf = (model: RegionModel, exam: SynthExam): string => uid(model, SOP_UID, exam.sequence);
/** Study ID (SH, at most 16 characters): the exam's position in the stream. */
export const studyIdOf = (exam: SynthExam): string => String(exam.sequence % 100_000_000);
export const SERIES_DESCRIPTION = 'Radiation Dose Information';

function patientModule(model: RegionModel, exam: SynthExam): Dataset {
  const patient = patientAt(model, exam.patientIndex);
  return {
    PatientName: patient.name,
    PatientID: localIdOf(model, patient.index, exam.trust),
    IssuerOfPatientID: exam.trust.localIdIssuer,
    ...(patient.nhsNumber
      ? {
          OtherPatientIDsSequence: [
            { PatientID: patient.nhsNumber, IssuerOfPatientID: NHS_NUMBER_ISSUER, TypeOfPatientID: 'TEXT' },
          ],
        }
      : {}),
    PatientBirthDate: patient.birthDate,
    PatientSex: patient.sex,
    PatientWeight: ds(exam.patientWeightKg),
    PatientSize: ds(exam.patientHeightM),
  };
}

/** SOP Common, General Study, SR Document Series, General Equipment and SR Document General modules. */
function header(model: RegionModel, exam: SynthExam, clock: ZonedClock, sopClassUid: string): Dataset {
  const startLocal = clock.localOf(exam.startUtcMs);
  const endLocal = clock.localOf(exam.events.reduce((t, e) => Math.max(t, e.startUtcMs), exam.startUtcMs) + 120_000);
  const room = exam.room;
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: sopInstanceUidOf(model, exam),
    StudyDate: dicomDate(startLocal),
    StudyTime: dicomTime(startLocal),
    ContentDate: dicomDate(endLocal),
    ContentTime: dicomTime(endLocal),
    AccessionNumber: exam.accessionNumber,
    Modality: 'SR',
    Manufacturer: room.manufacturer,
    InstitutionName: room.hospital,
    ReferringPhysicianName: '',
    StationName: room.stationName,
    StudyDescription: exam.procedure.name,
    ProcedureCodeSequence: [codeItem(exam.procedure.code)],
    SeriesDescription: SERIES_DESCRIPTION,
    InstitutionalDepartmentName: room.department,
    ManufacturerModelName: room.model,
    ReferencedPerformedProcedureStepSequence: [],
    ...patientModule(model, exam),
    DeviceSerialNumber: room.serialNumber,
    SoftwareVersions: room.softwareVersions,
    StudyInstanceUID: exam.studyUid,
    SeriesInstanceUID: seriesUidOf(model, exam),
    StudyID: studyIdOf(exam),
    SeriesNumber: '999',
    InstanceNumber: '1',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PerformedProcedureCodeSequence: [],
    ValueType: 'CONTAINER',
    ContinuityOfContent: 'SEPARATE',
  };
}

function contentOf(
  model: RegionModel,
  exam: SynthExam,
  dt: LocalDateTime,
): { sopClassUid: string; templateId: string; title: Dataset; content: Dataset[] } {
  const procedure = exam.procedure;
  switch (procedure.modality) {
    case 'CT':
      return {
        sopClassUid: SopClass.xrayDoseSr,
        templateId: '10011',
        title: codeItem(Concept.xrayReport),
        content: ctContent(exam, exam.events as SynthCtEvent[], dt),
      };
    case 'NM':
      return {
        sopClassUid: SopClass.radiopharmaceuticalDoseSr,
        templateId: '10021',
        title: codeItem(Nm.report),
        content: radiopharmaceuticalContent(exam, exam.events as SynthAdministration[], dt),
      };
    case 'RF':
    case 'DX':
    case 'MG':
      return {
        sopClassUid: SopClass.xrayDoseSr,
        templateId: '10001',
        title: codeItem(Concept.xrayReport),
        content: projectionContent(exam, procedure.modality, exam.events as SynthProjectionEvent[], dt),
      };
  }
}

/** The exam's dose report as a naturalised dcmjs data set. */
export function doseReportDataset(model: RegionModel, exam: SynthExam, clock: ZonedClock): Dataset {
  const dt: LocalDateTime = (utcMs) => dicomDateTime(clock.localOf(utcMs));
  const { sopClassUid, templateId, title, content } = contentOf(model, exam, dt);
  return {
    ...header(model, exam, clock, sopClassUid),
    ConceptNameCodeSequence: [title],
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: templateId }],
    ContentSequence: content,
  };
}

const IMPLEMENTATION = { classUid: KERMA_IMPLEMENTATION_CLASS_UID, versionName: KERMA_IMPLEMENTATION_VERSION_NAME };

/**
 * PS3.10 file written by dcmjs itself (preamble, group 0002, data set): the reference the fast
 * encoder (part10.ts) is checked against, and the writer used with `writer: 'dcmjs'`.
 */
export function writePart10WithDcmjs(dataset: Dataset): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: KERMA_IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: KERMA_IMPLEMENTATION_VERSION_NAME,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

export type Part10Writer = 'fast' | 'dcmjs';

export function doseReportFile(
  model: RegionModel,
  exam: SynthExam,
  clock: ZonedClock,
  writer: Part10Writer = 'fast',
): Uint8Array {
  const dataset = doseReportDataset(model, exam, clock);
  return writer === 'dcmjs' ? writePart10WithDcmjs(dataset) : encodePart10(dataset, IMPLEMENTATION);
}

/** Where an exam's file goes: a folder per trust and month, as a PACS export would lay them out. */
export function examFilePath(root: string, exam: SynthExam, clock: ZonedClock): string {
  const month = dicomDate(clock.localOf(exam.startUtcMs)).slice(0, 6);
  const kind = exam.procedure.modality;
  return path.join(root, exam.trust.code, month, `${kind}-${String(exam.sequence).padStart(9, '0')}.dcm`);
}

/** Writes the file of one exam, creating its folder when needed; returns the bytes written. */
export function writeExamFile(
  root: string,
  exam: SynthExam,
  clock: ZonedClock,
  model: RegionModel,
  made: Set<string>,
  writer: Part10Writer = 'fast',
): number {
  const file = examFilePath(root, exam, clock);
  const dir = path.dirname(file);
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  const bytes = doseReportFile(model, exam, clock, writer);
  writeFileSync(file, bytes);
  return bytes.byteLength;
}

/** The trusts in KERMA_TRUSTS_FILE form (README "Trusts"), so ingest reads the identifiers as generated. */
export function trustsFileContent(trusts: readonly Trust[]): object[] {
  return trusts.map((t) => ({
    code: t.code,
    name: t.name,
    callingAeTitles: [t.aeTitle],
    nhsNumber: { source: 'other_patient_ids', issuer: NHS_NUMBER_ISSUER },
    localIdIssuer: t.localIdIssuer,
  }));
}
