import { Ajv, type ErrorObject } from 'ajv';
import express from 'express';
import { ValidationError, type Logger, type QueryRunner } from '../../core/index.ts';
import { listOpenQuarantine, listTrustQuarantine } from '../store/sources.ts';
import { principalOf, requireApiKey, type AuthenticateApiKey } from './api-keys.ts';
import { RETRY_AFTER_S } from './stow-rs.ts';

/**
 * GET /api/v1/quarantine?limit=&offset=: the objects that could not be read or extracted and are
 * waiting for someone to look at them, newest first. Authenticated with an API key until users and
 * roles exist; a trust's key sees only its own trust's entries (filtered in the SQL), a consortium
 * key every trust's. Entries carry UIDs, senders and reasons but no patient data. Scope `ingest` (a
 * sender checks what it sent) or `read`.
 */
export interface QuarantineRouteDependencies {
  readonly db: QueryRunner;
  readonly authenticate: AuthenticateApiKey;
  readonly logger: Logger;
}

interface QuarantineQuery {
  limit: number;
  offset: number;
}

/** A page bound keeps one request from reading the whole table into memory. */
const MAX_LIMIT = 500;

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
  required: ['limit', 'offset'],
} as const;

// Query values arrive as strings: coerceTypes turns "20" into 20 (and refuses "abc" or repeated
// parameters, which arrive as arrays); useDefaults fills what was left out.
const validateQuery = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true }).compile<QuarantineQuery>(
  querySchema,
);

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    return `unknown query parameter ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return `query parameter ${error.instancePath.slice(1)} ${error.message ?? 'is invalid'}`;
}

export function parseQuarantineQuery(query: unknown): QuarantineQuery {
  // A copy: ajv coerces in place, and express may hand out the same parsed object again.
  const candidate: unknown = query && typeof query === 'object' ? { ...query } : {};
  if (!validateQuery(candidate)) {
    const problems = (validateQuery.errors ?? []).map(describe);
    throw new ValidationError(`invalid query: ${problems.join('; ')}`, { problems });
  }
  return candidate;
}

export function createQuarantineRouter(deps: QuarantineRouteDependencies): express.Router {
  const router = express.Router();
  const keyCheck = requireApiKey(deps.authenticate, deps.logger, RETRY_AFTER_S, ['ingest', 'read']);
  router.get('/api/v1/quarantine', keyCheck, async (req, res) => {
    const { limit, offset } = parseQuarantineQuery(req.query);
    const { trustCode } = principalOf(res.locals);
    const entries =
      trustCode === null
        ? await listOpenQuarantine(deps.db, limit, offset)
        : await listTrustQuarantine(deps.db, trustCode, limit, offset);
    // The storage path is the server's own file layout, not part of the API.
    const items = entries.map(({ storagePath: _storagePath, ...entry }) => entry);
    res.json({ items, limit, offset });
  });
  return router;
}
