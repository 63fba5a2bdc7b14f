import express, { type Request, type RequestHandler, type Response } from 'express';
import {
  ForbiddenError,
  KermaError,
  NotFoundError,
  UnavailableError,
  ValidationError,
  loggableError,
  type Logger,
} from '../../core/index.ts';
import { parseDicom } from '../dicom/dataset.ts';
import type { IngestOutcome, IngestService } from '../pipeline/types.ts';
import { principalOf, requireApiKey, type AuthenticateApiKey } from './api-keys.ts';
import { isValidBoundary, parseMediaType, parseMultipart, type BodyPart } from './multipart-related.ts';

/**
 * DICOMweb STOW-RS, the Studies Store Transaction (PS3.18 §10.5): POST /dicomweb/studies[/{study}]
 * with a multipart/related body of application/dicom parts. Each part goes through the one ingest
 * use case, in order; the answer is a Store Instances Response Module (PS3.18 Annex I) in DICOM JSON
 * (PS3.18 Annex F). Only the ingest outcome decides success: every outcome means "durably stored".
 */
export interface StowDependencies {
  readonly ingest: IngestService;
  readonly authenticate: AuthenticateApiKey;
  readonly logger: Logger;
  /** Largest request body accepted (after any Content-Encoding is undone); 413 beyond. */
  readonly maxBodyBytes?: number;
  /**
   * Whether a trust code exists, for the ?trust= a consortium key names (404 when it does not).
   * Without it an unknown code is left to ingest, which files the objects under DEFAULT.
   */
  readonly trustExists?: (trustCode: string) => Promise<boolean>;
}

/** A whole CT study of images fits; the body is held in memory once while its parts are stored. */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;
/** Each part is a file write and a transaction: bound them so one request cannot queue millions. */
export const MAX_PARTS = 10_000;
/** Long enough for a database restart or fail-over, short enough that senders' queues stay small. */
export const RETRY_AFTER_S = 30;

/** Failure Reason (0008,1197) values, PS3.18 Table I.2-2. */
export const FailureReason = {
  /** A7xx Refused out of Resources: not stored now, the sender should retry (database down, disk full). */
  OutOfResources: 0xa700,
  /** A9xx Data Set does not match SOP Class: a required attribute is missing or invalid. */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** Cxxx Cannot understand: not DICOM, truncated or unparseable. */
  CannotUnderstand: 0xc000,
  /** C122 Referenced Transfer Syntax not supported. */
  TransferSyntaxNotSupported: 0xc122,
  /** 0110 Processing failure: a defect on our side, logged as an error. */
  ProcessingFailure: 0x0110,
} as const;

/** Quarantine reason codes (ExtractionFailure) to Failure Reasons; anything else is C000. */
const FAILURE_FOR_REASON: Readonly<Record<string, number>> = {
  unsupported_transfer_syntax: FailureReason.TransferSyntaxNotSupported,
  missing_attribute: FailureReason.DataSetDoesNotMatchSopClass,
  invalid_value: FailureReason.DataSetDoesNotMatchSopClass,
};

class UnsupportedMediaTypeError extends KermaError {
  readonly code = 'unsupported_media_type';
  readonly httpStatus = 415;
}

class NotAcceptableError extends KermaError {
  readonly code = 'not_acceptable';
  readonly httpStatus = 406;
}

class TooManyPartsError extends KermaError {
  readonly code = 'too_many_parts';
  readonly httpStatus = 413;
}

/** PS3.5 §9.1: digits and dots, no leading zeros in a component, at most 64 characters. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

interface Identity {
  readonly sopClassUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  /** null when the data set has none; undefined when the part could not be parsed at all. */
  readonly studyInstanceUid: string | null | undefined;
}

/** The sending system and the trust its objects are stored for. */
interface Sender {
  readonly name: string;
  readonly trustCode: string;
}

type PartOutcome = IngestOutcome['status'] | 'wrong_study' | 'unavailable' | 'error';

interface PartResult {
  readonly sopClassUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly outcome: PartOutcome;
  /** Present for failures only. */
  readonly failureReason: number | undefined;
}

export function createStowRouter(deps: StowDependencies): express.Router {
  const router = express.Router();
  const handlers: RequestHandler[] = [
    requireApiKey(deps.authenticate, deps.logger, RETRY_AFTER_S, ['ingest']),
    checkStoreRequest,
    chooseTrust(deps),
    // body-parser's raw reader: 413 beyond the limit (the excess is read and discarded, never held),
    // and gzip/deflate Content-Encoding is undone before the limit applies, so a small compressed
    // body cannot expand past it.
    express.raw({ type: () => true, limit: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }),
    storeInstances(deps),
  ];
  router.post('/dicomweb/studies', ...handlers);
  router.post('/dicomweb/studies/:studyInstanceUid', ...handlers);
  return router;
}

/**
 * Refuses what cannot be a store request before reading the body: PS3.18 §10.5.1 requires
 * `multipart/related; type="application/dicom"` (415 otherwise; the metadata-and-bulk-data forms
 * are not supported) and the response is DICOM JSON (406 if the sender accepts neither JSON form).
 */
const checkStoreRequest: RequestHandler = (req, res, next) => {
  const mediaType = parseMediaType(req.get('content-type') ?? '');
  if (
    mediaType?.essence !== 'multipart/related' ||
    mediaType.parameters.get('type')?.toLowerCase() !== 'application/dicom'
  ) {
    throw new UnsupportedMediaTypeError(
      'STOW-RS accepts Content-Type: multipart/related; type="application/dicom" (PS3.18 §10.5.1)',
    );
  }
  const boundary = mediaType.parameters.get('boundary');
  if (boundary === undefined || !isValidBoundary(boundary)) {
    throw new ValidationError('Content-Type needs a boundary parameter of 1 to 70 characters (RFC 2046 §5.1.1)');
  }
  if (!req.accepts(['application/dicom+json', 'application/json'])) {
    throw new NotAcceptableError('the Store Instances Response is available as application/dicom+json only');
  }
  const study = targetStudyOf(req);
  if (study !== undefined && (study.length > 64 || !UID.test(study))) {
    throw new ValidationError('the Study Instance UID in the path is not a valid UID (PS3.5 §9.1)');
  }
  res.locals.stowBoundary = boundary;
  next();
};

/**
 * The trust the objects are stored for. A trust's key stores for its own trust only: naming another
 * in `?trust=` is 403. A consortium key (a regional integration engine) must name the trust, since
 * the identity rules that read patient IDs are the trust's.
 */
function chooseTrust(deps: StowDependencies): RequestHandler {
  return async (req, res, next) => {
    const principal = principalOf(res.locals);
    const asked = req.query.trust;
    if (asked !== undefined && (typeof asked !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(asked))) {
      throw new ValidationError('query parameter trust must be one trust code');
    }
    if (principal.trustCode !== null) {
      if (asked !== undefined && asked !== principal.trustCode) {
        throw new ForbiddenError(`this API key stores for trust ${principal.trustCode} only`);
      }
      res.locals.stowTrustCode = principal.trustCode;
      return next();
    }
    if (asked === undefined) {
      throw new ValidationError('a consortium API key must name the trust: POST /dicomweb/studies?trust=CODE');
    }
    let known: boolean;
    try {
      known = deps.trustExists ? await deps.trustExists(asked) : true;
    } catch (error) {
      // As for the key check: "unavailable" makes the sender keep its objects and retry.
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      throw new UnavailableError('cannot check the trust now, retry later', undefined, { cause: error });
    }
    if (!known) throw new NotFoundError(`unknown trust ${JSON.stringify(asked)}`);
    res.locals.stowTrustCode = asked;
    next();
  };
}

/** The {study} of POST /dicomweb/studies/{study}; undefined for the plain studies URL. */
function targetStudyOf(req: Request): string | undefined {
  const study = req.params.studyInstanceUid;
  return typeof study === 'string' ? study : undefined;
}

/** Splits the body and checks every part's media type before anything is stored. */
function requestParts(req: Request, boundary: string): BodyPart[] {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (body.length === 0) throw new ValidationError('the request body is empty: nothing to store');
  const parts = parseMultipart(body, boundary);
  if (parts.length > MAX_PARTS) throw new TooManyPartsError(`at most ${MAX_PARTS} instances per request`);
  parts.forEach((part, index) => {
    const declared = part.headers.get('content-type');
    // A part without Content-Type is read as the `type` of the multipart/related body (RFC 2387 §3.1).
    if (declared !== undefined && parseMediaType(declared)?.essence !== 'application/dicom') {
      throw new UnsupportedMediaTypeError(`part ${index + 1} is not application/dicom`);
    }
  });
  return parts;
}

function storeInstances(deps: StowDependencies): RequestHandler {
  return async (req, res) => {
    const sender = { name: principalOf(res.locals).name, trustCode: res.locals.stowTrustCode as string };
    const parts = requestParts(req, res.locals.stowBoundary as string);
    const targetStudy = targetStudyOf(req);
    const results = await storeParts(deps, sender, parts, targetStudy);
    const status = httpStatus(results);
    logSummary(deps.logger, sender, targetStudy, results, status);
    sendStoreResponse(res, status, results);
  };
}

/**
 * Stores the parts one after another. Once the store is unavailable nothing more is attempted: the
 * remaining parts are reported as Refused (A700) and the request as 503, so the sender retries them
 * all; those stored before the outage come back as duplicates, so nothing acknowledged is lost.
 */
async function storeParts(
  deps: StowDependencies,
  principal: Sender,
  parts: readonly BodyPart[],
  targetStudy: string | undefined,
): Promise<PartResult[]> {
  const results: PartResult[] = [];
  let unavailable = false;
  for (const part of parts) {
    const identity = identify(part.body);
    if (unavailable) {
      results.push(failed(identity, 'unavailable', FailureReason.OutOfResources));
    } else if (
      targetStudy !== undefined &&
      identity.studyInstanceUid !== undefined &&
      identity.studyInstanceUid !== targetStudy
    ) {
      // PS3.18 §10.5: a request for one study stores only that study's instances. Refused before
      // ingest, so it is neither stored nor quarantined. Table I.2-2 has no code of its own for
      // it; A9xx says the data set does not fit what was asked for (Microsoft's server uses A901).
      results.push(failed(identity, 'wrong_study', FailureReason.DataSetDoesNotMatchSopClass));
    } else {
      const result = await storeOne(deps, principal, part.body, identity);
      unavailable = result.outcome === 'unavailable';
      results.push(result);
    }
    deps.logger.debug(
      { sender: principal.name, sopInstanceUid: results.at(-1)?.sopInstanceUid, outcome: results.at(-1)?.outcome },
      'STOW-RS part processed',
    );
  }
  return results;
}

async function storeOne(
  deps: StowDependencies,
  principal: Sender,
  bytes: Buffer,
  identity: Identity,
): Promise<PartResult> {
  try {
    const outcome = await deps.ingest.ingestObject({
      bytes,
      transport: 'stow',
      sender: principal.name,
      trustCode: principal.trustCode,
    });
    return resultFor(identity, outcome);
  } catch (error) {
    if (error instanceof UnavailableError) return failed(identity, 'unavailable', FailureReason.OutOfResources);
    // A defect, not the sender's fault: report this instance as not stored and carry on with the rest.
    deps.logger.error(
      { err: loggableError(error), sender: principal.name, sopInstanceUid: identity.sopInstanceUid },
      'STOW-RS instance failed',
    );
    return failed(identity, 'error', FailureReason.ProcessingFailure);
  }
}

/**
 * The UIDs a response item needs, and the Study Instance UID a study-specific request is checked
 * against. Parsing cannot fail the request: an unreadable part is ingested anyway, so it lands in the
 * quarantine with its reason and is reported failed.
 */
function identify(bytes: Uint8Array): Identity {
  try {
    const parsed = parseDicom(bytes);
    return {
      sopClassUid: parsed.sopClassUid,
      sopInstanceUid: parsed.sopInstanceUid,
      studyInstanceUid: parsed.studyInstanceUid ?? null,
    };
  } catch {
    return { sopClassUid: undefined, sopInstanceUid: undefined, studyInstanceUid: undefined };
  }
}

function failed(identity: Identity, outcome: PartOutcome, failureReason: number): PartResult {
  return { sopClassUid: identity.sopClassUid, sopInstanceUid: identity.sopInstanceUid, outcome, failureReason };
}

/**
 * Stored, duplicate (received before: storing it again changes nothing) and not_dose (valid DICOM
 * kept unmodified, with no dose to extract) all mean the instance is durably stored, so all are
 * Referenced SOP Sequence items, without a Warning Reason: B000/B006 would claim we changed or
 * dropped elements, B007 that the data set breaks its SOP class; none is true, and a warning would
 * turn an all-good request into a 202 that senders treat as partial failure (PS3.18 Table 10.5.3-1).
 * Quarantined objects are kept for investigation, but not usable: they are failures.
 */
function resultFor(identity: Identity, outcome: IngestOutcome): PartResult {
  switch (outcome.status) {
    case 'stored':
    case 'duplicate':
    case 'not_dose':
      return {
        sopClassUid: identity.sopClassUid,
        sopInstanceUid: outcome.sopInstanceUid,
        outcome: outcome.status,
        failureReason: undefined,
      };
    case 'quarantined':
      return {
        sopClassUid: identity.sopClassUid,
        sopInstanceUid: outcome.sopInstanceUid ?? identity.sopInstanceUid,
        outcome: 'quarantined',
        failureReason: FAILURE_FOR_REASON[outcome.reasonCode] ?? FailureReason.CannotUnderstand,
      };
  }
}

/** PS3.18 Table 10.5.3-1: 200 all stored, 202 some failed, 409 none stored; 503 when the store is down. */
function httpStatus(results: readonly PartResult[]): number {
  if (results.some((r) => r.outcome === 'unavailable')) return 503;
  const failures = results.filter((r) => r.failureReason !== undefined).length;
  if (failures === 0) return 200;
  return failures === results.length ? 409 : 202;
}

/** A Referenced SOP Class / Instance UID value; empty (no Value) when the part could not be read. */
const uid = (value: string | undefined): object => (value ? { vr: 'UI', Value: [value] } : { vr: 'UI' });

/**
 * The Store Instances Response Module (PS3.18 Table I.1-1) in the DICOM JSON Model (PS3.18 Annex F).
 * Retrieve URL (0008,1190) is Type 2 and Kerma offers no Retrieve Transaction: present, empty.
 */
function storeResponseDataset(results: readonly PartResult[]): Record<string, object> {
  const failures = results.filter((r) => r.failureReason !== undefined);
  const referenced = results.filter((r) => r.failureReason === undefined);
  const dataset: Record<string, object> = { '00081190': { vr: 'UR' } };
  if (failures.length > 0) {
    const items = failures.map((r) => ({
      '00081150': uid(r.sopClassUid),
      '00081155': uid(r.sopInstanceUid),
      '00081197': { vr: 'US', Value: [r.failureReason] },
    }));
    dataset['00081198'] = { vr: 'SQ', Value: items };
  }
  if (referenced.length > 0) {
    const items = referenced.map((r) => ({
      '00081150': uid(r.sopClassUid),
      '00081155': uid(r.sopInstanceUid),
      '00081190': { vr: 'UR' },
    }));
    dataset['00081199'] = { vr: 'SQ', Value: items };
  }
  return dataset;
}

function sendStoreResponse(res: Response, status: number, results: readonly PartResult[]): void {
  if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_S));
  res
    .status(status)
    .type('application/dicom+json')
    .send(JSON.stringify(storeResponseDataset(results)));
}

/** UIDs, sender name and counts only: never anything read from the data sets' patient modules. */
function logSummary(
  logger: Logger,
  principal: Sender,
  targetStudy: string | undefined,
  results: readonly PartResult[],
  status: number,
): void {
  const counts: Partial<Record<PartOutcome, number>> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const failedSopInstanceUids = results
    .filter((r) => r.failureReason !== undefined)
    .map((r) => r.sopInstanceUid ?? null);
  const data = {
    sender: principal.name,
    trustCode: principal.trustCode,
    studyInstanceUid: targetStudy,
    parts: results.length,
    counts,
    failedSopInstanceUids,
    status,
  };
  if (status === 503) logger.warn(data, 'STOW-RS request refused: store unavailable');
  else logger.info(data, 'STOW-RS request stored');
}
