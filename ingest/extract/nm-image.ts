import type { DicomDataset, ParsedDicom } from '../dicom/dataset.ts';
import { SopClass } from '../dicom/sop-classes.ts';
import { readCode } from '../dicom/sr.ts';
import { Tag } from '../dicom/tags.ts';
import type { Extractor } from './extractor.ts';
import { headerDoseReport, readStudyInfo } from './header.ts';
import { guardExtraction, requireIdentity } from './guards.ts';
import { imageTotalDoseMbq } from './radiopharmaceutical-units.ts';
import type {
  DoseReport,
  NmImageSeries,
  RadiopharmaceuticalAdministration,
  SourceKind,
  StudyModality,
} from './types.ts';
import { combineDateTime, dateTimeUtcOffset, formatDateTime } from './values.ts';

/** Attributes of the NM and PET Isotope and PET Series modules (PS3.3 C.8.4.10, C.8.9.1, C.8.9.2), in dicom-parser form. */
const T = {
  Radiopharmaceutical: 'x00180031',
  RadiopharmaceuticalVolume: 'x00181071',
  RadiopharmaceuticalStartTime: 'x00181072',
  RadiopharmaceuticalStopTime: 'x00181073',
  RadionuclideTotalDose: 'x00181074',
  RadionuclideHalfLife: 'x00181075',
  RadiopharmaceuticalSpecificActivity: 'x00181077',
  RadiopharmaceuticalStartDateTime: 'x00181078',
  RadiopharmaceuticalStopDateTime: 'x00181079',
  RadionuclideCodeSequence: 'x00540300',
  AdministrationRouteCodeSequence: 'x00540302',
  RadiopharmaceuticalCodeSequence: 'x00540304',
  EnergyWindowRangeSequence: 'x00540013',
  EnergyWindowLowerLimit: 'x00540014',
  EnergyWindowUpperLimit: 'x00540015',
  NumberOfRRIntervals: 'x00540061',
  NumberOfTimeSlots: 'x00540071',
  NumberOfSlices: 'x00540081',
  NumberOfTimeSlices: 'x00540101',
  ScanProgressionDirection: 'x00540501',
  SeriesType: 'x00541000',
  ReconstructionMethod: 'x00541103',
  CoincidenceWindowWidth: 'x00541210',
  CorrectedImage: 'x00280051',
} as const;

interface ImageKind {
  readonly sopClassUid: string;
  readonly sourceKind: SourceKind;
  readonly modality: StudyModality;
  /** PET Isotope gives Radionuclide Total Dose in Bq, NM Isotope in MBq (see imageTotalDoseMbq). */
  readonly totalDoseInBq: boolean;
}

const NM: ImageKind = {
  sopClassUid: SopClass.NuclearMedicineImage,
  sourceKind: 'nm-image',
  modality: 'NM',
  totalDoseInBq: false,
};
// Kerma files PET under PT, its DICOM modality; the peer (OpenREM) files PET images under NM.
const PET: ImageKind = { sopClassUid: SopClass.PETImage, sourceKind: 'pet-image', modality: 'PT', totalDoseInBq: true };

function imageExtractor(kind: ImageKind): Extractor {
  return {
    name: kind.sourceKind,
    version: 1,
    matches: (parsed: ParsedDicom): boolean => parsed.sopClassUid === kind.sopClassUid,
    extract: (parsed: ParsedDicom): DoseReport =>
      guardExtraction(`${kind.sourceKind} header`, () => extractImage(parsed, kind)),
  };
}

/** NM Image (1.2.840.10008.5.1.4.1.1.20): the administration(s) of its Radiopharmaceutical Information Sequence. */
export const nmImageExtractor = imageExtractor(NM);
/** PET Image (1.2.840.10008.5.1.4.1.1.128): the administration(s) and the PET Series module. */
export const petImageExtractor = imageExtractor(PET);

function extractImage(parsed: ParsedDicom, kind: ImageKind): DoseReport {
  const ds = parsed.dataset;
  const study = readStudyInfo(ds, { dateFallbacks: false });
  const identity = requireIdentity(parsed);
  const warnings: string[] = [];
  // The date a bare Radiopharmaceutical Start Time belongs to, as the peer takes it: the study's.
  const date = ds.string(Tag.StudyDate) ?? ds.string(Tag.SeriesDate);
  const administrations = ds
    .items(Tag.RadiopharmaceuticalInformationSequence)
    .map((item) => readIsotope(item, date, kind, warnings));
  return headerDoseReport(ds, identity, {
    sourceKind: kind.sourceKind,
    modality: kind.modality,
    study,
    doseReport: undefined,
    // Series information only for PET, as the peer keeps it (PETSeries); an NM image gives none.
    radiopharmaceutical: {
      administrations,
      patientCharacteristics: undefined,
      imageSeries: kind === PET ? [readPetSeries(ds)] : [],
    },
    warnings,
  });
}

/**
 * One item of the Radiopharmaceutical Information Sequence (0054,0016). Every item is read (a
 * dual-isotope NM study has two); the peer reads only the first. Times without a date take the
 * study date; a DateTime, when present, wins.
 */
function readIsotope(
  item: DicomDataset,
  date: string | undefined,
  kind: ImageKind,
  warnings: string[],
): RadiopharmaceuticalAdministration {
  const specificActivity = item.decimal(T.RadiopharmaceuticalSpecificActivity);
  return {
    // Radiopharmaceutical Administration Event UID (0008,3012) is left out, as the peer does: it should
    // be the UID of the RRDSR's administration, but Siemens PET images carry a different one, which
    // would make one administration look like two once image and RRDSR are stored together.
    ...emptyAdministration(),
    radiopharmaceuticalAgent: readCode(item.item(T.RadiopharmaceuticalCodeSequence)),
    radiopharmaceuticalAgentString: item.string(T.Radiopharmaceutical),
    radionuclide: readCode(item.item(T.RadionuclideCodeSequence)),
    radionuclideHalfLifeS: item.decimal(T.RadionuclideHalfLife),
    // PS3.3 gives (0018,1077) in Bq/umol; Kerma stores Bq/mol.
    radiopharmaceuticalSpecificActivityBqPerMol: specificActivity === undefined ? undefined : specificActivity * 1e6,
    radiopharmaceuticalStartDatetime:
      formatDateTime(item.string(T.RadiopharmaceuticalStartDateTime)) ??
      timeOnDate(date, item.string(T.RadiopharmaceuticalStartTime)),
    ...startOffset(item.string(T.RadiopharmaceuticalStartDateTime)),
    radiopharmaceuticalStopDatetime:
      formatDateTime(item.string(T.RadiopharmaceuticalStopDateTime)) ??
      timeOnDate(date, item.string(T.RadiopharmaceuticalStopTime)),
    administeredActivityMbq: imageTotalDoseMbq(item.decimal(T.RadionuclideTotalDose), kind.totalDoseInBq, warnings),
    // (0018,1071) is in cm3, which is ml.
    radiopharmaceuticalVolumeMl: item.decimal(T.RadiopharmaceuticalVolume),
    routeOfAdministration: readCode(item.item(T.AdministrationRouteCodeSequence)),
  };
}

/** The start DT's offset suffix, when that DT is the start read (a field only when present). */
function startOffset(value: string | undefined): { radiopharmaceuticalStartDatetimeUtcOffset?: string } {
  const offset = formatDateTime(value) ? dateTimeUtcOffset(value) : undefined;
  return offset ? { radiopharmaceuticalStartDatetimeUtcOffset: offset } : {};
}

function timeOnDate(date: string | undefined, time: string | undefined): string | undefined {
  return time ? combineDateTime(date, time) : undefined;
}

/** The fields an image header cannot carry (assays, organ doses, product identifiers). */
function emptyAdministration(): RadiopharmaceuticalAdministration {
  return {
    radiopharmaceuticalAdministrationEventUid: undefined,
    radiopharmaceuticalAgent: undefined,
    radiopharmaceuticalAgentString: undefined,
    radionuclide: undefined,
    radionuclideHalfLifeS: undefined,
    radiopharmaceuticalSpecificActivityBqPerMol: undefined,
    radiopharmaceuticalStartDatetime: undefined,
    radiopharmaceuticalStopDatetime: undefined,
    administeredActivityMbq: undefined,
    effectiveDoseMsv: undefined,
    radiopharmaceuticalVolumeMl: undefined,
    preAdministrationMeasuredActivityMbq: undefined,
    preActivityMeasurementDevice: undefined,
    postAdministrationMeasuredActivityMbq: undefined,
    postActivityMeasurementDevice: undefined,
    routeOfAdministration: undefined,
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
    preAdministrationObservers: [],
    postAdministrationObservers: [],
    observers: [],
  };
}

/** A US count; some devices write it as IS text in an explicit-VR file, which is read as such. */
function count(ds: DicomDataset, tag: string): number | undefined {
  const vr = ds.vr(tag);
  return vr === 'IS' || vr === 'DS' ? ds.decimal(tag) : ds.binary(tag, 'US');
}

/** PS3.3 C.8.9.1 PET Series module. Series date and time count only together, as the peer reads them. */
function readPetSeries(ds: DicomDataset): NmImageSeries {
  const date = ds.string(Tag.SeriesDate);
  const time = ds.string(Tag.SeriesTime);
  const energyWindow = ds.item(T.EnergyWindowRangeSequence);
  return {
    seriesDatetime: date && time ? combineDateTime(date, time) : undefined,
    seriesTypes: ds.strings(T.SeriesType).filter((v) => v !== ''),
    numberOfSlices: count(ds, T.NumberOfSlices),
    reconstructionMethod: ds.string(T.ReconstructionMethod),
    // (0054,1210) is in ns; the model's field name says keV, which is wrong (reported to the model's owner).
    coincidenceWindowWidthNs: ds.decimal(T.CoincidenceWindowWidth),
    energyWindowLowerLimitKev: energyWindow?.decimal(T.EnergyWindowLowerLimit),
    energyWindowUpperLimitKev: energyWindow?.decimal(T.EnergyWindowUpperLimit),
    scanProgressionDirection: ds.string(T.ScanProgressionDirection),
    numberOfRrIntervals: count(ds, T.NumberOfRRIntervals),
    numberOfTimeSlots: count(ds, T.NumberOfTimeSlots),
    numberOfTimeSlices: count(ds, T.NumberOfTimeSlices),
    corrections: ds.strings(T.CorrectedImage).filter((v) => v !== ''),
  };
}
