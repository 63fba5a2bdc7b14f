import type { DicomExtractionError } from '../dicom/errors.ts';
import type { Extraction } from '../extract/registry.ts';

/**
 * The one ingest use case every transport calls (DICOM C-STORE, STOW-RS, file import, reprocess):
 * keep the raw bytes, extract, and record the object and its dose data, idempotently.
 */
export type Transport = 'dimse' | 'stow' | 'file' | 'reprocess';

export interface IngestRequest {
  readonly bytes: Uint8Array;
  readonly transport: Transport;
  /** Who sent it: calling AE title, API key name, or file path. Never a patient identifier. */
  readonly sender: string | undefined;
  /** Trust (site) the sender belongs to; decides how patient identifiers are read. */
  readonly trustCode: string;
}

/** CPU-only work, done before any I/O (and in worker threads by the bulk importer). */
export interface PreparedObject {
  readonly sha256: string;
  readonly byteSize: number;
  readonly sopInstanceUid: string | undefined;
  readonly sopClassUid: string | undefined;
  readonly extraction: Extraction | undefined;
  readonly failure: { readonly code: DicomExtractionError['code']; readonly message: string } | undefined;
}

/** An object prepared (hashed, extracted) and durably stored, ready for its database commit. */
export interface PreparedCommit {
  readonly request: Omit<IngestRequest, 'bytes'>;
  readonly prepared: PreparedObject;
  readonly storagePath: string;
}

export type IngestOutcome =
  | {
      readonly status: 'stored';
      readonly sopInstanceUid: string;
      readonly studyInstanceUid: string;
      readonly studyId: number;
      readonly sourceObjectId: number;
      readonly eventsAdded: number;
    }
  /** The same SOP instance was received before: nothing changed. */
  | { readonly status: 'duplicate'; readonly sopInstanceUid: string; readonly sourceObjectId: number }
  /** Valid DICOM that carries no dose (e.g. an SR diagnostic report): recorded and kept, nothing extracted. */
  | {
      readonly status: 'not_dose';
      readonly sopInstanceUid: string;
      readonly sourceObjectId: number;
      readonly reason: string;
    }
  /** Could not be parsed or extracted: kept in the quarantine with its reason. */
  | {
      readonly status: 'quarantined';
      readonly quarantineId: number;
      readonly sopInstanceUid: string | undefined;
      readonly reasonCode: string;
      readonly reason: string;
    };

/**
 * Throws UnavailableError (core/errors.ts) when the object cannot be durably stored (database down,
 * disk full): the transport must then answer with a failure so the sender retries. Any outcome
 * returned means the object is durably stored (raw bytes fsynced, database transaction committed).
 */
export interface IngestService {
  ingestObject(request: IngestRequest): Promise<IngestOutcome>;
}
