import { parseDicom, type ParsedDicom } from '../dicom/dataset.ts';
import { DicomExtractionError } from '../dicom/errors.ts';
import { DOSE_CAPABLE_SR_CLASSES } from '../dicom/sop-classes.ts';
import { toError } from '../../core/index.ts';
import type { Extractor } from './extractor.ts';
import type { DoseReport } from './types.ts';
import { ctImageExtractor } from './ct-image.ts';
import { dxImageExtractor } from './dx-image.ts';
import { mgImageExtractor } from './mg-image.ts';
import { nmImageExtractor, petImageExtractor } from './nm-image.ts';
import { philipsCtDoseScExtractor } from './philips-ct-dose-sc.ts';
import { radiopharmaceuticalRdsrExtractor } from './radiopharmaceutical-rdsr.ts';
import { xrayDoseSrExtractor } from './xray-rdsr.ts';

/**
 * Extractors in the order they are tried. Most specific first: the dose SR classes are recognised by
 * SOP class alone; the Philips dose-info capture must be tried before the mammography extractor,
 * which also accepts (Hologic) Secondary Captures; CT and NM image headers come last.
 */
export const EXTRACTORS: readonly Extractor[] = [
  radiopharmaceuticalRdsrExtractor,
  xrayDoseSrExtractor,
  philipsCtDoseScExtractor,
  mgImageExtractor,
  dxImageExtractor,
  ctImageExtractor,
  petImageExtractor,
  nmImageExtractor,
];

export function chooseExtractor(parsed: ParsedDicom): Extractor {
  const extractor = EXTRACTORS.find((e) => e.matches(parsed));
  if (extractor) return extractor;
  if (DOSE_CAPABLE_SR_CLASSES.has(parsed.sopClassUid ?? '')) {
    throw new DicomExtractionError('not_dose_report', `SR of class ${parsed.sopClassUid} is not a dose report`);
  }
  throw new DicomExtractionError(
    'unsupported_sop_class',
    `no dose extractor for SOP class ${parsed.sopClassUid ?? '(none)'}`,
  );
}

export interface Extraction {
  readonly report: DoseReport;
  readonly extractor: string;
  readonly extractorVersion: number;
}

/**
 * Parses and extracts one object. Whatever the input, the only exception that leaves is a
 * DicomExtractionError: anything else thrown by a parser or extractor is a defect, wrapped as
 * `malformed` with its cause, so the caller quarantines instead of crashing.
 */
export function extractDoseReport(bytes: Uint8Array): Extraction {
  try {
    const parsed = parseDicom(bytes);
    // A structured report cut short may have lost events or totals: storing it would under-report
    // dose, so it is quarantined. An image cut in its pixel data still has a complete header.
    if (parsed.truncated && DOSE_CAPABLE_SR_CLASSES.has(parsed.sopClassUid ?? '')) {
      throw new DicomExtractionError(
        'truncated',
        `structured report is incomplete: ${parsed.dataset.warnings.at(-1) ?? 'data set ends early'}`,
      );
    }
    const extractor = chooseExtractor(parsed);
    if (!parsed.studyInstanceUid) {
      throw new DicomExtractionError('missing_attribute', 'Study Instance UID (0020,000D) is missing');
    }
    return { report: extractor.extract(parsed), extractor: extractor.name, extractorVersion: extractor.version };
  } catch (thrown) {
    if (thrown instanceof DicomExtractionError) throw thrown;
    const error = toError(thrown);
    throw new DicomExtractionError('malformed', `cannot extract: ${error.message}`, undefined, { cause: error });
  }
}
