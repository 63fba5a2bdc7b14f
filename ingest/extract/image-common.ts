import type { DicomDataset } from '../dicom/dataset.ts';
import { parseDecimal } from '../dicom/dataset.ts';
import { readCode, type Code } from '../dicom/sr.ts';
import { Tag } from '../dicom/tags.ts';
import type { ProjectionAccumulated, ReportContext, XrayFilter } from './types.ts';
import { combineDateTime, dateTimeStartedOffset, formatDateTime } from './values.ts';

/**
 * What the image-header extractors (DX/CR, MG, CT, Philips dose-info capture) share: tags missing from
 * tags.ts, the fixed codes an image importer reports, number reading across VRs, and the X-ray source
 * rows (filters, grid, exposure) of PS3.3 C.8.7.10 X-Ray Filtration, C.8.7.11 X-Ray Grid and C.8.7.8
 * X-Ray Acquisition Dose modules.
 */
export const ImageTag = {
  IrradiationEventUID: 'x00083010',
  AnatomicRegionSequence: 'x00082218',
  FrameOfReferenceUID: 'x00200052',
  ImageComments: 'x00204000',
  FieldOfViewShape: 'x00181147',
  FieldOfViewDimensions: 'x00181149',
  TableHeight: 'x00181130',
  ColumnAngulation: 'x00181450',
  GridFocalDistance: 'x0018704c',
  ExposureControlModeDescription: 'x00187062',
  ExposureTimeInuS: 'x00188150',
  XRayTubeCurrentInuA: 'x00188151',
  ExposureTimeInms: 'x00189328',
  XRayTubeCurrentInmA: 'x00189330',
  ExposureInmAs: 'x00189332',
  DistanceSourceToIsocenter: 'x00189402',
  TableHorizontalRotationAngle: 'x00189469',
  TableHeadTiltAngle: 'x00189470',
  TableCradleTiltAngle: 'x00189471',
  ScheduledProtocolCodeSequence: 'x00400008',
  PerformedProtocolCodeSequence: 'x00400260',
  DistanceSourceToEntrance: 'x00400306',
  CommentsOnRadiationDose: 'x00400310',
} as const;

const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
const srt = (value: string, meaning: string): Code => ({ value, scheme: 'SRT', meaning });

/** Codes an image importer asserts itself, because no SR carries them (PS3.16 TID 10001 / 10011 rows). */
export const ImageCodes = {
  projectionXray: dcm('113704', 'Projection X-Ray'),
  mammography: srt('P5-40010', 'Mammography'),
  computedTomography: srt('P5-08000', 'Computed Tomography X-Ray'),
  diagnosticIntent: srt('R-408C3', 'Diagnostic Intent'),
  study: dcm('113014', 'Study'),
  copiedFromImageAttributes: dcm('113866', 'Copied From Image Attributes'),
  yes: srt('R-0038D', 'Yes'),
  no: srt('R-00339', 'No'),
  singlePlane: dcm('113622', 'Single Plane'),
  stationaryAcquisition: dcm('113611', 'Stationary Acquisition'),
} as const;

type NumericVr = 'DS' | 'IS' | 'FD' | 'FL' | 'US' | 'SS' | 'UL' | 'SL';

/**
 * A number whatever its encoding: text VRs are parsed, binary VRs decoded. `expected` is the VR PS3.6
 * gives the tag, used for implicit-VR files and for elements a converter re-labelled UN (Hologic).
 */
export function readNumber(ds: DicomDataset, tag: string, expected: NumericVr = 'DS'): number | undefined {
  const encoded = ds.vr(tag);
  const vr = encoded && encoded !== 'UN' ? encoded : expected;
  let value: number | undefined;
  if (vr === 'FD' || vr === 'FL' || vr === 'US' || vr === 'SS' || vr === 'UL' || vr === 'SL')
    value = ds.binary(tag, vr);
  else value = ds.decimal(tag);
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/**
 * value × 10^power by shifting the decimal exponent of its shortest text, so 0.41 dGy·cm² becomes
 * exactly 0.041 Gy·cm² and 0.01373 dGy exactly 1.373 mGy, without binary noise from a multiplication.
 */
export function shiftDecimal(value: number | undefined, power: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return text.includes('e') ? value * 10 ** power : Number(`${text}e${power}`);
}

export function firstDefined<T>(...values: Array<T | undefined>): T | undefined {
  return values.find((v) => v !== undefined);
}

export function codeOf(ds: DicomDataset, sequenceTag: string): Code | undefined {
  return readCode(ds.item(sequenceTag));
}

/**
 * Irradiation Event UID (0008,3010, PS3.3 C.7.6.1 General Image) when the device sends it: For
 * Processing and For Presentation copies of one exposure share it. Else the SOP Instance UID.
 */
export function irradiationEventUid(ds: DicomDataset, sopInstanceUid: string): string {
  return ds.string(ImageTag.IrradiationEventUID)?.replace(/\0/g, '') ?? sopInstanceUid;
}

/**
 * Start of the exposure: Acquisition Date/Time, else Acquisition DateTime, else Content Date/Time
 * (and Study Date/Time for DX, as the peer does). Without any time the result is undefined: a
 * midnight default would make two untimed images of one day look like one exposure.
 */
export function imageDateTime(ds: DicomDataset, studyFallback: boolean): string | undefined {
  const date = firstDefined(
    ds.string(Tag.AcquisitionDate),
    ds.string(Tag.ContentDate),
    studyFallback ? ds.string(Tag.StudyDate) : undefined,
  );
  const time = firstDefined(
    ds.string(Tag.AcquisitionTime),
    ds.string(Tag.ContentTime),
    studyFallback ? ds.string(Tag.StudyTime) : undefined,
  );
  const acquisitionDateTime = formatDateTime(ds.string(Tag.AcquisitionDateTime));
  if (ds.string(Tag.AcquisitionTime) === undefined && acquisitionDateTime) return acquisitionDateTime;
  return time === undefined ? undefined : combineDateTime(date, time);
}

/** The offset suffix of the Acquisition DateTime when imageDateTime chose it (a field only when present). */
export function imageDateTimeOffset(ds: DicomDataset): { dateTimeStartedUtcOffset?: string } {
  if (ds.string(Tag.AcquisitionTime) !== undefined) return {};
  return dateTimeStartedOffset(ds.string(Tag.AcquisitionDateTime));
}

/** Root-level context an image importer reports (PS3.16 TID 10001 / 10011 rows), as the peer fills it. */
export function imageReportContext(procedure: Code, studyInstanceUid: string, projection: boolean): ReportContext {
  return {
    procedureReported: procedure,
    hasIntent: ImageCodes.diagnosticIntent,
    acquisitionDeviceType: undefined,
    startOfXrayIrradiation: undefined,
    endOfXrayIrradiation: undefined,
    scopeOfAccumulation: ImageCodes.study,
    scopeUid: studyInstanceUid,
    sourceOfDoseInformation: [ImageCodes.copiedFromImageAttributes],
    // The data-available flags are TID 10001 rows only; TID 10011 has none.
    xraySourceDataAvailable: projection ? ImageCodes.yes : undefined,
    xrayDetectorDataAvailable: projection ? ImageCodes.no : undefined,
    xrayMechanicalDataAvailable: projection ? ImageCodes.yes : undefined,
    associatedProcedure: undefined,
    comment: undefined,
    observers: [],
    language: undefined,
  };
}

/** One TID 10002 plane for a single image, everything the header cannot say left undefined. */
export function singleImageAccumulated(values: Partial<ProjectionAccumulated>): ProjectionAccumulated {
  return {
    acquisitionPlane: ImageCodes.singlePlane,
    fluoroDapTotalGyCm2: undefined,
    fluoroDoseRpTotalGy: undefined,
    totalFluoroTimeS: undefined,
    acquisitionDapTotalGyCm2: undefined,
    acquisitionDoseRpTotalGy: undefined,
    totalAcquisitionTimeS: undefined,
    dapTotalGyCm2: undefined,
    doseRpTotalGy: undefined,
    totalNumberOfRadiographicFrames: 1,
    referencePointDefinition: undefined,
    referencePointDefinitionCode: undefined,
    mammography: [],
    ...values,
  };
}

// ---------- Filters: PS3.3 C.8.7.10, CID 10006 materials, CID 10007 types ----------

const FILTER_MATERIALS: Readonly<Record<string, Code>> = {
  ALUMINUM: srt('C-120F9', 'Aluminum or Aluminum compound'),
  // Misspelling seen from Philips DigitalDiagnost; the standard term is ALUMINUM.
  ALUMINIUM: srt('C-120F9', 'Aluminum or Aluminum compound'),
  COPPER: srt('C-127F9', 'Copper or Copper compound'),
  MOLYBDENUM: srt('C-150F9', 'Molybdenum or Molybdenum compound'),
  RHODIUM: srt('C-167F9', 'Rhodium or Rhodium compound'),
  SILVER: srt('C-137F9', 'Silver or Silver compound'),
  NIOBIUM: srt('C-1190E', 'Niobium or Niobium compound'),
  EUROPIUM: srt('C-1190F', 'Europium or Europium compound'),
  LEAD: srt('C-132F9', 'Lead or Lead compound'),
  TANTALUM: srt('C-156F9', 'Tantalum or Tantalum compound'),
  // Tin joined CID 10006 after the SRT era, so it has only the SNOMED CT element code.
  TIN: { value: '12597001', scheme: 'SCT', meaning: 'Tin' },
};

const FILTER_TYPES: Readonly<Record<string, Code>> = {
  STRIP: dcm('113650', 'Strip filter'),
  WEDGE: dcm('113651', 'Wedge filter'),
  BUTTERFLY: dcm('113652', 'Butterfly filter'),
  FLAT: dcm('113653', 'Flat filter'),
  NONE: dcm('111609', 'No filter'),
};

/** Siemens puts a copper filter in FilterType alone; thickness in mm from the term. */
const SIEMENS_COPPER_FILTERS: Readonly<Record<string, number>> = {
  'CU_0.1_MM': 0.1,
  'CU_0.2_MM': 0.2,
  'CU_0.3_MM': 0.3,
};

/** A material keeps its header spelling as meaning when CID 10006 has no code for it. */
function filterMaterial(name: string): Code | undefined {
  const key = name.trim().toUpperCase();
  if (key === '') return undefined;
  return FILTER_MATERIALS[key] ?? { value: '', scheme: '', meaning: name.trim() };
}

/**
 * Thicknesses, one per material. Old Kodak/Carestream units write several values in one DS with a comma
 * ("1.06,0.206") instead of a backslash: when the comma splits the text into exactly one value per
 * material it is a separator; otherwise it is a decimal comma ("0,5").
 */
function thicknesses(ds: DicomDataset, tag: string, materialCount: number): Array<number | undefined> {
  const values = ds.strings(tag).filter((v) => v !== '');
  const only = values.length === 1 ? values[0] : undefined;
  if (only?.includes(',')) {
    const parts = only.split(',');
    if (materialCount > 1 && parts.length === materialCount) return parts.map(parseDecimal);
    return [parseDecimal(only)];
  }
  return values.map(parseDecimal);
}

function filterRow(
  type: Code | undefined,
  material: Code | undefined,
  minMm: number | undefined,
  maxMm: number | undefined,
): XrayFilter {
  // Devices swap minimum and maximum (Kodak DR 7500); a filter's maximum is never below its minimum.
  const swap = minMm !== undefined && maxMm !== undefined && maxMm < minMm;
  return {
    xrayFilterType: type,
    xrayFilterMaterial: material,
    xrayFilterThicknessMinimumMm: swap ? maxMm : minMm,
    xrayFilterThicknessMaximumMm: swap ? minMm : maxMm,
  };
}

/**
 * X-ray filters, one per material. FilterType NONE is an explicit "no filter". Several materials are
 * each recorded as a flat filter (the one FilterType describes the set, not each material).
 */
export function readFilters(ds: DicomDataset): XrayFilter[] {
  const type = ds.string(Tag.FilterType)?.toUpperCase();
  if (type === 'NONE') return [filterRow(FILTER_TYPES.NONE, undefined, undefined, undefined)];
  const siemensCopperMm = type ? SIEMENS_COPPER_FILTERS[type] : undefined;
  const materials = ds
    .strings(Tag.FilterMaterial)
    .flatMap((v) => v.split(','))
    .map(filterMaterial);
  if (siemensCopperMm !== undefined && materials.length === 0) {
    return [filterRow(FILTER_TYPES.FLAT, FILTER_MATERIALS.COPPER, siemensCopperMm, siemensCopperMm)];
  }
  const present = materials.filter((m): m is Code => m !== undefined);
  if (present.length === 0) return [];
  const mins = thicknesses(ds, Tag.FilterThicknessMinimum, present.length);
  const maxs = thicknesses(ds, Tag.FilterThicknessMaximum, present.length);
  const rowType = present.length > 1 ? FILTER_TYPES.FLAT : type ? FILTER_TYPES[type] : undefined;
  return present.map((material, i) => filterRow(rowType, material, mins[i], maxs[i]));
}

// ---------- Grid (PS3.3 C.8.7.11, CID 10017), anode (CID 10016), laterality, view ----------

/** Grid terms are abbreviated to fit two in 16 characters ("RECIPROCATING\FO"), hence the prefixes. */
const GRID_TERMS: ReadonlyArray<readonly [string, Code]> = [
  ['FI', dcm('111641', 'Fixed grid')],
  ['FO', dcm('111642', 'Focused grid')],
  ['RE', dcm('111643', 'Reciprocating grid')],
  ['PA', dcm('111644', 'Parallel grid')],
  ['CR', dcm('111645', 'Crossed grid')],
];

export function readGrids(ds: DicomDataset): Code[] {
  const values = ds
    .strings(Tag.Grid)
    .map((v) => v.toUpperCase())
    .filter((v) => v !== '');
  if (values.includes('NONE')) return [dcm('111646', 'No grid')];
  const grids: Code[] = [];
  for (const value of values) {
    const code = GRID_TERMS.find(([prefix]) => value.includes(prefix))?.[1];
    if (code && !grids.includes(code)) grids.push(code);
  }
  return grids;
}

const ANODE_MATERIALS: Readonly<Record<string, Code>> = {
  MOLYBDENUM: srt('C-150F9', 'Molybdenum or Molybdenum compound'),
  RHODIUM: srt('C-167F9', 'Rhodium or Rhodium compound'),
  TUNGSTEN: srt('C-164F9', 'Tungsten or Tungsten compound'),
};

export function readAnodeTarget(ds: DicomDataset): Code | undefined {
  const name = ds.string(Tag.AnodeTargetMaterial)?.trim().toUpperCase();
  return name ? ANODE_MATERIALS[name] : undefined;
}

export const Laterality = {
  R: srt('G-A100', 'Right'),
  L: srt('G-A101', 'Left'),
  B: srt('G-A102', 'Bilateral'),
} as const;

/** Image Laterality (0020,0062), else the series Laterality (0020,0060); U (unpaired) gives none. */
export function readLaterality(ds: DicomDataset): Code | undefined {
  const value = (ds.string(Tag.ImageLaterality) ?? ds.string(Tag.Laterality))?.trim().toUpperCase();
  return value === 'R' || value === 'L' || value === 'B' ? Laterality[value] : undefined;
}

// ---------- Exposure (PS3.3 C.8.7.8 X-Ray Acquisition Dose) ----------

/** Exposure in µAs: Exposure in µAs (0018,1153), else Exposure in mAs (0018,1152 or 0018,9332) × 1000. */
export function readExposureUas(ds: DicomDataset): number | undefined {
  const uas = readNumber(ds, Tag.ExposureInuAs, 'IS');
  if (uas) return uas;
  return shiftDecimal(
    firstDefined(readNumber(ds, Tag.Exposure, 'IS'), readNumber(ds, ImageTag.ExposureInmAs, 'FD')),
    3,
  );
}
