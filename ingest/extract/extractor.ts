import type { ParsedDicom } from '../dicom/dataset.ts';
import type { DoseReport } from './types.ts';

/**
 * One extractor per source kind. `version` is stored with every extracted object so that
 * `kerma reprocess` can find objects extracted by an older version after an upgrade.
 */
export interface Extractor {
  readonly name: string;
  readonly version: number;
  /** Cheap test on SOP class and header content; the registry tries extractors in order. */
  matches(parsed: ParsedDicom): boolean;
  /** Throws DicomExtractionError (never anything else) when the object cannot be extracted. */
  extract(parsed: ParsedDicom): DoseReport;
}
