import { KermaError } from '../../core/index.ts';

/** Why an object could not be read or turned into a dose report; becomes the quarantine reason. */
export type ExtractionFailure =
  | 'not_dicom'
  | 'truncated'
  | 'malformed'
  | 'unsupported_transfer_syntax'
  | 'missing_attribute'
  | 'invalid_value'
  | 'unsupported_sop_class'
  | 'not_dose_report';

/**
 * A DICOM object that cannot be parsed or extracted. `location` names the offending tag or SR
 * content item (e.g. `(0040,A730)[3] > (0040,A730)[1] "CTDIvol"`), so a physicist can find it.
 */
export class DicomExtractionError extends KermaError {
  readonly code: ExtractionFailure;
  readonly httpStatus = 422;
  readonly location: string | undefined;

  constructor(code: ExtractionFailure, message: string, location?: string, options?: { cause?: unknown }) {
    super(location ? `${message} at ${location}` : message, location ? { location } : undefined, options);
    this.code = code;
    this.location = location;
  }
}
