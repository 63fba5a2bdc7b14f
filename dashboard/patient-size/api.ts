import express, { type RequestHandler, type Router } from 'express';
import {
  actorOf,
  addressOf,
  auditActor,
  requestIdOf,
  requireActorCsrf,
  requireScope,
  type Actor,
} from '../../access/index.ts';
import { KermaError, ValidationError, sql, type QueryRunner } from '../../core/index.ts';
import { importPatientSizes, type PatientSizeDependencies } from '../../analytics/index.ts';
import { PAGES } from '../pages.ts';
import { parseUploadOptions, type UploadOptions } from './mapping.ts';
import { CSV_MEDIA_TYPES, csvBody, multipartUpload, uploadedCsv } from './upload.ts';

export const PATIENT_SIZES_API_PATH = '/api/v1/patient-sizes';

class UnsupportedMediaTypeError extends KermaError {
  readonly code = 'unsupported_media_type';
  readonly httpStatus = 415;
}

/** text/csv (options in the query string) or multipart/form-data (a `file` part; options as fields or query). */
const readBody: RequestHandler = (req, res, next) => {
  if (req.is('multipart/form-data')) return multipartUpload(req, res, next);
  if (req.is(CSV_MEDIA_TYPES)) return csvBody(req, res, next);
  next(new UnsupportedMediaTypeError('send the file as text/csv, or as the "file" part of multipart/form-data'));
};

/**
 * The trust of rows that name none. Accession numbers are unique only within a trust, so an import
 * by accession needs one: the caller's only trust when they have one, else they must say.
 */
export function defaultTrust(options: UploadOptions, trustCodes: readonly string[]): string {
  if (options.trust) return options.trust;
  if (trustCodes.length === 1) return trustCodes[0]!;
  if (options.mapping.match === 'study-uid') return trustCodes[0] ?? 'DEFAULT';
  throw new ValidationError('say which trust the accession numbers belong to (parameter "trust")');
}

/** Trust codes the caller may import for: a user's trusts, a key's trust, or every trust for a consortium key. */
async function trustCodesOf(db: QueryRunner, actor: Actor): Promise<string[]> {
  if (actor.kind === 'user') return actor.user.trusts.map((t) => t.code);
  const { rows } = await db.query<{ code: string }>(
    sql`SELECT code FROM trusts WHERE trust_id = ANY(${actor.trustIds}::bigint[]) ORDER BY code`,
  );
  return rows.map((r) => r.code);
}

export interface PatientSizeRouteDependencies {
  readonly db: QueryRunner;
  readonly sizes: PatientSizeDependencies;
}

/**
 * POST /api/v1/patient-sizes: a CSV of patient heights and weights, matched to studies of the
 * caller's trusts by accession number or Study Instance UID. Only missing sizes are filled; the
 * answer lists every row not applied with its row number and reason, and the studies changed.
 * For a signed-in physicist or admin (with the session's CSRF token) or an API key with the
 * `ingest` scope (data into Kerma, like STOW-RS). `dryRun=true` changes nothing and also answers
 * each row's outcome.
 */
export function createPatientSizeApiRouter(deps: PatientSizeRouteDependencies): Router {
  const router = express.Router();
  router.post(
    PATIENT_SIZES_API_PATH,
    requireScope(deps.db, 'ingest', { roles: PAGES.patientSize.roles }),
    readBody,
    requireActorCsrf,
    async (req, res) => {
      const actor = actorOf(req);
      const file = uploadedCsv(req);
      if (!file) throw new ValidationError('no file: send the CSV as the body or as the "file" part');
      const fields = req.file ? (req.body as Record<string, unknown>) : {};
      // The form's CSRF token was checked above and is no option.
      const options: Record<string, unknown> = { ...req.query, ...fields, _csrf: undefined };
      delete options._csrf;
      const parsed = parseUploadOptions(options);
      const result = await importPatientSizes(deps.sizes, {
        file,
        mapping: parsed.mapping,
        trustCode: defaultTrust(parsed, await trustCodesOf(deps.db, actor)),
        scope: actor.trustIds,
        dryRun: parsed.dryRun,
        replaceImported: parsed.replaceImported,
        actor: { ...auditActor(actor), address: addressOf(req), requestId: requestIdOf(req) },
      });
      const { outcomes, ...summary } = result;
      res.set('Cache-Control', 'no-store').json(parsed.dryRun ? { ...summary, outcomes } : summary);
    },
  );
  return router;
}
