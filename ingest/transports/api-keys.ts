import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import {
  ConflictError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  loggableError,
  sql,
  type Logger,
  type QueryRunner,
} from '../../core/index.ts';

/**
 * API keys of the systems that send objects over HTTP (STOW-RS): one key per sending system, bound
 * to the trust whose identity rules read its objects. Only the key's SHA-256 is stored (api_keys,
 * migration 0003); the key itself is shown once, when created.
 */
export interface ApiKeyPrincipal {
  /** The sending system's name: recorded as the sender of what it stores, and logged. */
  readonly name: string;
  readonly trustCode: string;
}

export type AuthenticateApiKey = (apiKey: string) => Promise<ApiKeyPrincipal | undefined>;

export interface ApiKeyInfo extends ApiKeyPrincipal {
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** 32 random bytes: a key nobody can guess, so a fast unsalted hash is enough to store it. */
const KEY_BYTES = 32;
/** Names end up in logs and in source_objects.sender: keep them short and free of spaces. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Far longer than any key we issue; refusing longer input skips hashing megabytes of header. */
const MAX_PRESENTED_KEY_CHARS = 256;

const sha256Hex = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

const isoUtc = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * Creates a key for `name` in the trust `trustCode` and returns it; only its hash is kept. Names
 * stay taken after revocation, so a sender name in the received-object ledger never means two systems.
 */
export async function createApiKey(db: QueryRunner, name: string, trustCode: string): Promise<string> {
  if (!NAME.test(name)) {
    throw new ValidationError(
      'API key name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  const key = randomBytes(KEY_BYTES).toString('base64url');
  const { rows } = await db.query<{ api_key_id: number }>(sql`
    INSERT INTO api_keys (name, trust_id, key_sha256)
    SELECT ${name}, trust_id, ${sha256Hex(key)} FROM trusts WHERE code = ${trustCode}
    ON CONFLICT (name) DO NOTHING
    RETURNING api_key_id`);
  if (rows.length > 0) return key;
  const trust = await db.query(sql`SELECT 1 FROM trusts WHERE code = ${trustCode}`);
  if (trust.rows.length === 0) throw new NotFoundError(`unknown trust ${JSON.stringify(trustCode)}`, { trustCode });
  throw new ConflictError(`an API key named ${JSON.stringify(name)} already exists`, { name });
}

/** Revokes the key; revoking a revoked key changes nothing (its revocation time is kept). */
export async function revokeApiKey(db: QueryRunner, name: string): Promise<void> {
  const { rows } = await db.query(sql`
    UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE name = ${name} RETURNING api_key_id`);
  if (rows.length === 0) throw new NotFoundError(`no API key named ${JSON.stringify(name)}`, { name });
}

/** Every key's name, trust and dates, never the key or its hash. */
export async function listApiKeys(db: QueryRunner): Promise<ApiKeyInfo[]> {
  const { rows } = await db.query<ApiKeyInfo>({
    text: `SELECT k.name, t.code AS "trustCode", ${isoUtc('k.created_at')} AS "createdAt",
                  ${isoUtc('k.revoked_at')} AS "revokedAt"
           FROM api_keys k JOIN trusts t ON t.trust_id = k.trust_id
           ORDER BY k.name`,
  });
  return rows;
}

/**
 * The sender a presented key belongs to, or undefined (unknown or revoked). The lookup is on the
 * key's SHA-256, never on the key: the index search time can only reveal something about the hash
 * of the guess, which tells an attacker nothing about any real key, so no constant-time compare is
 * needed on top of it.
 */
export async function authenticateApiKey(db: QueryRunner, key: string): Promise<ApiKeyPrincipal | undefined> {
  if (key === '' || key.length > MAX_PRESENTED_KEY_CHARS) return undefined;
  const { rows } = await db.query<ApiKeyPrincipal>(sql`
    SELECT k.name, t.code AS "trustCode"
    FROM api_keys k JOIN trusts t ON t.trust_id = k.trust_id
    WHERE k.key_sha256 = ${sha256Hex(key)} AND k.revoked_at IS NULL`);
  return rows[0];
}

/** The key from `Authorization: Bearer <key>` (RFC 6750 §2.1) or, for simple senders, `X-API-Key`. */
export function presentedApiKey(headers: {
  authorization?: string;
  'x-api-key'?: string | string[];
}): string | undefined {
  const bearer = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '');
  if (bearer?.[1]) return bearer[1];
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
}

/** Where the API key middleware leaves the authenticated sender for the route handler. */
export function principalOf(locals: Record<string, unknown>): ApiKeyPrincipal {
  const principal = locals.apiKeyPrincipal as ApiKeyPrincipal | undefined;
  if (!principal) throw new UnauthorizedError('no authenticated sender');
  return principal;
}

/**
 * Express middleware requiring a valid API key: 401 with a Bearer challenge (RFC 6750 §3) when it is
 * missing or invalid. When the key store cannot be read the answer is 503, not 401: a sender told
 * "unauthorised" may drop its queue, one told "unavailable" keeps the objects and retries.
 */
export function requireApiKey(authenticate: AuthenticateApiKey, logger: Logger, retryAfterS: number): RequestHandler {
  return async (req, res, next) => {
    const key = presentedApiKey(req.headers);
    if (key === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="kerma"');
      throw new UnauthorizedError('an API key is required (Authorization: Bearer <key> or X-API-Key)');
    }
    let principal: ApiKeyPrincipal | undefined;
    try {
      principal = await authenticate(key);
    } catch (error) {
      logger.error({ err: loggableError(error), path: req.path }, 'API key check failed');
      res.setHeader('Retry-After', String(retryAfterS));
      throw new UnavailableError('cannot check the API key now, retry later', undefined, { cause: error });
    }
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="kerma", error="invalid_token"');
      throw new UnauthorizedError('invalid or revoked API key');
    }
    res.locals.apiKeyPrincipal = principal;
    next();
  };
}
