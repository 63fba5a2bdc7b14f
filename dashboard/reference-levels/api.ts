import { stringify } from 'csv-stringify/sync';
import express, { type Request, type Response, type Router } from 'express';
import {
  actorOf,
  addressOf,
  requestIdOf,
  requireActorCsrf,
  requireScope,
  type Role,
  type SignedInUser,
} from '../../access/index.ts';
import {
  KermaError,
  ValidationError,
  inputParser,
  type QueryRunner,
  type TransactionRunner,
} from '../../core/index.ts';
import {
  REFERENCE_SET_KINDS,
  importReferenceSet,
  listReferenceSets,
  parseReferenceSet,
  parseReferenceSetCsv,
  referenceSetCsv,
  referenceSetDetail,
  type ReferenceImporter,
  type ReferenceSetSummary,
} from '../../reference-levels/index.ts';
import { PAGES } from '../pages.ts';

export const REFERENCE_SETS_API_PATH = '/api/v1/reference-sets';

/** Who may load a set: the people who own reference levels (and API keys of the scope). */
export const REFERENCE_IMPORTERS: readonly Role[] = ['physicist', 'admin'];

/**
 * A set of a few thousand figures with notes is well under a megabyte; the limit keeps a client
 * from making the server buffer more than any real table.
 */
export const REFERENCE_SET_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

class UnsupportedMediaTypeError extends KermaError {
  readonly code = 'unsupported_media_type';
  readonly httpStatus = 415;
}

interface ListQuery {
  readonly setKey?: string;
  readonly kind?: string;
  readonly current?: boolean;
  readonly format: 'json' | 'csv';
}

const FORMAT = { enum: ['json', 'csv'], default: 'json' } as const;

const parseListQuery = inputParser<ListQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      setKey: { type: 'string', maxLength: 80 },
      kind: { enum: REFERENCE_SET_KINDS },
      current: { type: 'boolean' },
      format: FORMAT,
    },
  },
  'query',
);
const parseDetailQuery = inputParser<{ format: 'json' | 'csv' }>(
  { type: 'object', additionalProperties: false, properties: { format: FORMAT } },
  'query',
);

/** A path's set id: digits only, else 400 (never a 500 from a cast in SQL). */
export function referenceSetIdParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value)) {
    throw new ValidationError('referenceSetId must be a positive whole number');
  }
  return Number(value);
}

const LIST_CSV_COLUMNS: ReadonlyArray<[keyof ReferenceSetSummary, string]> = [
  ['referenceSetId', 'reference_set_id'],
  ['setKey', 'set_key'],
  ['kind', 'kind'],
  ['title', 'title'],
  ['publisher', 'publisher'],
  ['edition', 'edition'],
  ['effectiveFrom', 'effective_from'],
  ['sourceTitle', 'source_title'],
  ['sourceUrl', 'source_url'],
  ['trustCode', 'trust_code'],
  ['builtin', 'builtin'],
  ['current', 'current'],
  ['supersededBy', 'superseded_by'],
  ['supersededAt', 'superseded_at_utc'],
  ['loadedAt', 'loaded_at_utc'],
  ['loadedBy', 'loaded_by'],
  ['valueCount', 'value_count'],
  ['secondaryCount', 'secondary_count'],
];

/** Formula-looking text stays text in a spreadsheet (OWASP, CSV injection). */
const defuse = (value: string | number | boolean | null): string => {
  const text = value === null ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

function sendCsv(res: Response, fileName: string, csv: string): void {
  res.set('Cache-Control', 'no-store').type('text/csv; charset=utf-8').attachment(fileName).send(csv);
}

/** A signed-in person as an import records them. */
export function importerOfUser(req: Request, user: SignedInUser): ReferenceImporter {
  return {
    actorKind: 'user',
    actorId: user.userId,
    actorName: user.name,
    address: addressOf(req),
    requestId: requestIdOf(req),
  };
}

/** The person or calling system behind an API request (mounted after requireScope). */
export function importerOf(req: Request): ReferenceImporter {
  const actor = actorOf(req);
  if (actor.kind === 'user') return importerOfUser(req, actor.user);
  return {
    actorKind: 'api-key',
    actorId: actor.key.keyId,
    actorName: actor.key.name,
    trustCode: actor.key.trustCode ?? undefined,
    address: addressOf(req),
    requestId: requestIdOf(req),
  };
}

/**
 * The reference sets over HTTP (docs/adr/0012). Reference figures are no patient's data: any
 * reader of the Reference levels page or a `read` key may list them; loading takes a physicist or
 * an administrator (with the session's CSRF token) or a `reference-data` key.
 * - GET  /api/v1/reference-sets?setKey&kind&current&format=json|csv: every edition, current first
 * - GET  /api/v1/reference-sets/:id?format=json|csv: one edition with its figures (CSV: the import layout)
 * - POST /api/v1/reference-sets: a set as application/json or text/csv; 201 with the stored edition
 *   and the one it superseded, 409 for an edition already stored, 400 naming each problem
 */
export function referenceSetsApiRouter(deps: { db: QueryRunner; transaction: TransactionRunner }): Router {
  const router = express.Router();
  const readers = requireScope(deps.db, 'read', { roles: PAGES.referenceLevels.roles });

  router.get(REFERENCE_SETS_API_PATH, readers, async (req, res) => {
    const query = parseListQuery(req.query);
    const items = await listReferenceSets(deps.db, {
      setKey: query.setKey,
      kind: query.kind,
      currentOnly: query.current,
    });
    if (query.format === 'csv') {
      const rows = items.map((item) => LIST_CSV_COLUMNS.map(([key]) => defuse(item[key])));
      sendCsv(res, 'kerma-reference-sets.csv', stringify([LIST_CSV_COLUMNS.map(([, name]) => name), ...rows]));
      return;
    }
    res.set('Cache-Control', 'no-store').json({ items });
  });

  router.get(`${REFERENCE_SETS_API_PATH}/:referenceSetId`, readers, async (req, res) => {
    const query = parseDetailQuery(req.query);
    const detail = await referenceSetDetail(deps.db, referenceSetIdParam(req.params.referenceSetId));
    if (query.format === 'csv') {
      sendCsv(res, `${detail.set.setKey}-${detail.set.referenceSetId}.csv`, referenceSetCsv(detail));
      return;
    }
    res.set('Cache-Control', 'no-store').json(detail);
  });

  router.post(
    REFERENCE_SETS_API_PATH,
    requireScope(deps.db, 'reference-data', { roles: REFERENCE_IMPORTERS }),
    express.json({ limit: REFERENCE_SET_BODY_LIMIT_BYTES, strict: true }),
    express.text({ type: ['text/csv', 'application/csv'], limit: REFERENCE_SET_BODY_LIMIT_BYTES }),
    requireActorCsrf,
    async (req, res) => {
      const origin = 'in the request';
      let document;
      let format: 'json' | 'csv';
      if (req.is('application/json')) {
        document = parseReferenceSet(req.body, origin);
        format = 'json';
      } else if (req.is(['text/csv', 'application/csv'])) {
        document = parseReferenceSetCsv(typeof req.body === 'string' ? req.body : '', origin);
        format = 'csv';
      } else {
        throw new UnsupportedMediaTypeError('send the set as application/json or text/csv');
      }
      const result = await importReferenceSet(deps.transaction, document, importerOf(req), { format });
      res
        .status(201)
        .location(`${REFERENCE_SETS_API_PATH}/${result.set.referenceSetId}`)
        .set('Cache-Control', 'no-store')
        .json(result);
    },
  );
  return router;
}
