import { KermaError } from '../../core/index.ts';
import type { IngestOutcome } from '../pipeline/types.ts';

/**
 * The one place that turns ingest results into DIMSE statuses for the C-STORE SCP. The codes are
 * the C-STORE statuses of PS3.4 Annex B.2.3 (Table B.2-1) and the general ones of PS3.7 Annex C.
 */
export const DimseStatus = {
  /** PS3.4 Table B.2-1: the object is durably stored; the sender may delete its copy. */
  Success: 0x0000,
  /** PS3.4 Table B.2-1 "Refused: Out of Resources" (A7xx): a transient failure, the sender retries. */
  OutOfResources: 0xa700,
  /** PS3.4 Table B.2-1 "Error: Data Set does not match SOP Class" (A9xx). */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** PS3.4 Table B.2-1 "Error: Cannot understand" (Cxxx): kept in quarantine, retrying will not help. */
  CannotUnderstand: 0xc000,
  /** PS3.7 Annex C "Refused: SOP Class not supported" (0122H). */
  SopClassNotSupported: 0x0122,
} as const;

export interface StoreStatus {
  readonly status: number;
  /** Error Comment (0000,0902) is LO: at most 64 characters (PS3.7 Annex E, PS3.5 Table 6.2-1). */
  readonly comment: string | undefined;
}

export const ERROR_COMMENT_MAX_CHARS = 64;

/**
 * A failure status with its Error Comment. Command sets use the default repertoire (ISO-IR 6) and
 * LO excludes backslash and control characters, so anything else becomes a space.
 */
export function failure(status: number, comment: string): StoreStatus {
  const cleaned = comment.replace(/[^\x20-\x5b\x5d-\x7e]/g, ' ').trim();
  return { status, comment: cleaned.slice(0, ERROR_COMMENT_MAX_CHARS) };
}

/**
 * Every outcome `ingestObject` returns means the object is durably stored, so only the quarantine
 * is reported as a failure; a duplicate or a valid object without dose is a success for the sender.
 */
export function statusForOutcome(outcome: IngestOutcome): StoreStatus {
  switch (outcome.status) {
    case 'stored':
    case 'duplicate':
    case 'not_dose':
      return { status: DimseStatus.Success, comment: undefined };
    case 'quarantined':
      return failure(DimseStatus.CannotUnderstand, outcome.reasonCode);
  }
}

/**
 * Anything thrown means the object may not be stored (UnavailableError: database down, disk full;
 * anything else: a defect). Out of Resources makes the modality keep the object and retry later,
 * which loses nothing; the comment carries only our stable error code, never a message.
 */
export function statusForError(error: unknown): StoreStatus {
  const code = error instanceof KermaError ? error.code : 'internal_error';
  return failure(DimseStatus.OutOfResources, code);
}
