import type { ParsedDicom } from '../dicom/dataset.ts';
import { DicomExtractionError } from '../dicom/errors.ts';
import { Tag, formatTag } from '../dicom/tags.ts';

/** The identity every extractor needs before it can produce a report. */
export interface ObjectIdentity {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
}

/** An object without these cannot be grouped into a study or de-duplicated, so it is refused. */
export function requireIdentity(parsed: ParsedDicom): ObjectIdentity {
  const studyInstanceUid = parsed.dataset.string(Tag.StudyInstanceUID)?.replace(/\0/g, '');
  if (!studyInstanceUid) {
    throw new DicomExtractionError(
      'missing_attribute',
      'Study Instance UID is missing',
      formatTag(Tag.StudyInstanceUID),
    );
  }
  if (!parsed.sopInstanceUid || !parsed.sopClassUid) {
    throw new DicomExtractionError(
      'missing_attribute',
      'SOP Class or Instance UID is missing',
      formatTag(Tag.SOPInstanceUID),
    );
  }
  return { sopClassUid: parsed.sopClassUid, sopInstanceUid: parsed.sopInstanceUid, studyInstanceUid };
}

/**
 * Runs an extraction so that only DicomExtractionError leaves it: anything else thrown while reading
 * a hostile header is reported as a malformed object with its cause.
 */
export function guardExtraction<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (thrown) {
    if (thrown instanceof DicomExtractionError) throw thrown;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    throw new DicomExtractionError('malformed', `cannot read ${what}: ${message}`, undefined, { cause: thrown });
  }
}
