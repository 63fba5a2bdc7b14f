import { createHash } from 'node:crypto';
import type { DicomDataset, ParsedDicom } from '../dicom/dataset.ts';
import { SopClass } from '../dicom/sop-classes.ts';
import type { Code } from '../dicom/sr.ts';
import { Tag } from '../dicom/tags.ts';
import { CtTag, ctAcquisitionType, ctEvent, ctXraySource } from './ct-image.ts';
import type { Extractor } from './extractor.ts';
import { headerDoseReport, readStudyInfo } from './header.ts';
import {
  ImageCodes,
  ImageTag,
  codeOf,
  firstDefined,
  imageReportContext,
  readNumber,
  shiftDecimal,
} from './image-common.ts';
import { guardExtraction, requireIdentity } from './guards.ts';
import type { CtDose, CtEvent, DoseReport, ReportContext, StudyInfo } from './types.ts';
import { dateTimeStartedOffset, formatDateTime } from './values.ts';

/**
 * Philips CT "Dose Info" screens (Brilliance, Gemini, Big Bore): Secondary Captures (PS3.3 A.8) whose
 * header carries the dose data, one Exposure Dose Sequence (0040,030E, retired from the RT / MPPS
 * Radiation Dose module C.4.16) item per scanned series, with the DLP only in ELSCINT1 private tags.
 */
const PhilipsTag = {
  TotalNumberOfExposures: 'x00400301',
  ExposureDoseSequence: 'x0040030e',
  RequestingPhysician: 'x00321032',
} as const;

/** Private creator of the Philips (formerly Elscint) CT block, and the element offsets read in it. */
const ELSCINT = 'ELSCINT1';
const DLP_ELEMENT = { group: '00e1', offset: 0x21 } as const;
const PHANTOM_ELEMENT = { group: '01e1', offset: 0x26 } as const;
const PROTOCOL_FILE_ELEMENT = { group: '00e1', offset: 0x61 } as const;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/**
 * The tag of a private element: PS3.5 7.8.1 lets a device place its block at any (gggg,00xx) creator
 * slot, so the block is found by its creator name rather than assumed to be at xx = 10.
 */
function privateTag(ds: DicomDataset, element: { group: string; offset: number }): string | undefined {
  for (let block = 0x10; block <= 0xff; block++) {
    const creatorTag = `x${element.group}00${hex2(block)}`;
    if (ds.has(creatorTag) && ds.string(creatorTag)?.toUpperCase() === ELSCINT) {
      return `x${element.group}${hex2(block)}${hex2(element.offset)}`;
    }
  }
  return undefined;
}

function privateNumber(ds: DicomDataset, element: { group: string; offset: number }): number | undefined {
  const tag = privateTag(ds, element);
  return tag ? readNumber(ds, tag) : undefined;
}

const PHANTOMS: Readonly<Record<string, Code>> = {
  '16 CM': { value: '113690', scheme: 'DCM', meaning: 'IEC Head Dosimetry Phantom' },
  '32 CM': { value: '113691', scheme: 'DCM', meaning: 'IEC Body Dosimetry Phantom' },
};

function phantom(ds: DicomDataset): Code | undefined {
  const tag = privateTag(ds, PHANTOM_ELEMENT);
  return tag ? PHANTOMS[ds.string(tag)?.toUpperCase() ?? ''] : undefined;
}

/**
 * The dose screen gives its series no Irradiation Event UID. One is derived from the SOP Instance
 * UID and the item's position (a name-based UUID under 2.25, PS3.5 B.2), so re-importing the same
 * object gives the same events and the store stays idempotent.
 */
export function derivedEventUid(sopInstanceUid: string, index: number): string {
  const bytes = createHash('sha1').update(`${sopInstanceUid}/exposure-dose/${index}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString()}`;
}

function readSeriesEvent(item: DicomDataset, top: DicomDataset, uid: string): CtEvent {
  return ctEvent({
    irradiationEventUid: uid,
    dateTimeStarted: formatDateTime(item.string(Tag.AcquisitionDateTime)),
    ...dateTimeStartedOffset(item.string(Tag.AcquisitionDateTime)),
    acquisitionProtocol: item.string(Tag.SeriesDescription),
    ctAcquisitionType: ctAcquisitionType(item.string(CtTag.AcquisitionType)),
    // Exposure Time (0018,1150) is in ms; TID 10013 reports seconds.
    exposureTimeS: shiftDecimal(readNumber(item, Tag.ExposureTime, 'IS'), -3),
    scanningLengthMm: readNumber(item, CtTag.ScanLength, 'IS'),
    nominalSingleCollimationWidthMm: readNumber(item, CtTag.SingleCollimationWidth, 'FD'),
    nominalTotalCollimationWidthMm: readNumber(item, CtTag.TotalCollimationWidth, 'FD'),
    pitchFactor: readNumber(item, CtTag.SpiralPitchFactor, 'FD'),
    xraySources: [
      ctXraySource({
        identificationOfXraySource: 'A',
        kvp: readNumber(item, Tag.KVP),
        xrayTubeCurrentMa: shiftDecimal(readNumber(item, ImageTag.XRayTubeCurrentInuA), -3),
      }),
    ],
    ctdiVolMgy: readNumber(item, Tag.CTDIvol, 'FD'),
    ctdiwPhantomType: phantom(item) ?? phantom(top),
    dlpMgyCm: privateNumber(item, DLP_ELEMENT),
  });
}

/** One event per series item that names its acquisition type; other items describe no scan. */
function readSeriesEvents(ds: DicomDataset, sopInstanceUid: string): CtEvent[] {
  return ds
    .items(PhilipsTag.ExposureDoseSequence)
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.string(CtTag.AcquisitionType) !== undefined)
    .map(({ item, index }) => readSeriesEvent(item, ds, derivedEventUid(sopInstanceUid, index)));
}

/** ISO local datetime plus a duration, in the `formatDateTime` form. */
function addSeconds(iso: string, seconds: number): string | undefined {
  const ms = Date.parse(`${iso}Z`) + Math.round(seconds * 1000);
  if (!Number.isFinite(ms)) return undefined;
  const text = new Date(ms).toISOString().slice(0, -1);
  return text.endsWith('.000') ? text.slice(0, -4) : `${text}000`;
}

/** Start of the first series and end of the last (its start plus its exposure time). */
function irradiationSpan(
  events: readonly CtEvent[],
): Pick<ReportContext, 'startOfXrayIrradiation' | 'endOfXrayIrradiation'> {
  const timed = events
    .filter((e) => e.dateTimeStarted !== undefined)
    .sort((a, b) => (a.dateTimeStarted ?? '').localeCompare(b.dateTimeStarted ?? ''));
  const first = timed[0];
  const last = timed.at(-1);
  const end =
    last?.dateTimeStarted && last.exposureTimeS !== undefined
      ? addSeconds(last.dateTimeStarted, last.exposureTimeS)
      : undefined;
  return { startOfXrayIrradiation: first?.dateTimeStarted, endOfXrayIrradiation: end };
}

/** The peer's report comment: what the screen says about the study, its dose and its protocol file. */
function reportComment(ds: DicomDataset): string {
  const protocolFileTag = privateTag(ds, PROTOCOL_FILE_ELEMENT);
  const protocolFile = protocolFileTag ? ds.string(protocolFileTag) : undefined;
  const doseComment = ds.text(ImageTag.CommentsOnRadiationDose);
  return `StudyDescription: ${ds.string(Tag.StudyDescription) ?? ''}. Comments on radiation dose: ${doseComment ?? ''}. ProtocolFilename: ${protocolFile ?? ''}`;
}

/**
 * The screen has no procedure code; the scheduled protocol, else the protocol name, names the study's
 * procedure. The referring physician may only be in Requesting Physician (0032,1032).
 */
function philipsStudyInfo(ds: DicomDataset): StudyInfo {
  const study = readStudyInfo(ds, { dateFallbacks: false });
  const requestAttributes = ds.item(Tag.RequestAttributesSequence);
  const scheduled = requestAttributes ? codeOf(requestAttributes, ImageTag.ScheduledProtocolCodeSequence) : undefined;
  return {
    ...study,
    procedureCodeMeaning: firstDefined(
      scheduled?.meaning || undefined,
      study.procedureCodeMeaning,
      ds.string(Tag.ProtocolName),
    ),
    referringPhysicianName: study.referringPhysicianName ?? ds.string(PhilipsTag.RequestingPhysician),
  };
}

function extractPhilips(parsed: ParsedDicom): DoseReport {
  const ds = parsed.dataset;
  const identity = requireIdentity(parsed);
  const study = philipsStudyInfo(ds);
  const events = readSeriesEvents(ds, identity.sopInstanceUid);
  const warnings =
    events.length === 0 ? ['Philips dose screen without a readable series (Exposure Dose Sequence)'] : [];
  const ct: CtDose = {
    accumulated: {
      totalNumberOfIrradiationEvents: readNumber(ds, PhilipsTag.TotalNumberOfExposures, 'US'),
      ctDoseLengthProductTotalMgyCm: privateNumber(ds, DLP_ELEMENT),
      ctEffectiveDoseTotalMsv: undefined,
      comment: ds.text(ImageTag.CommentsOnRadiationDose),
    },
    events,
  };
  const context = imageReportContext(ImageCodes.computedTomography, identity.studyInstanceUid, false);
  return headerDoseReport(ds, identity, {
    sourceKind: 'philips-ct-dose-sc',
    modality: 'CT',
    study,
    doseReport: { ...context, ...irradiationSpan(events), comment: reportComment(ds) },
    ct,
    warnings,
  });
}

/** A Philips Secondary Capture titled "Dose Info": other Philips captures are plain screenshots. */
function isPhilipsDoseInfo(parsed: ParsedDicom): boolean {
  const ds = parsed.dataset;
  return (
    parsed.sopClassUid === SopClass.SecondaryCaptureImage &&
    (ds.string(Tag.Manufacturer)?.toLowerCase().includes('philips') ?? false) &&
    ds.string(Tag.SeriesDescription)?.toLowerCase() === 'dose info'
  );
}

export const philipsCtDoseScExtractor: Extractor = {
  name: 'philips-ct-dose-sc',
  version: 1,
  matches: isPhilipsDoseInfo,
  extract: (parsed) => guardExtraction('Philips dose screen', () => extractPhilips(parsed)),
};
