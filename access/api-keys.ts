import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, sql, type QueryRunner } from '../core/index.ts';

/**
 * API keys of the systems that call Kerma over HTTP: STOW-RS senders, RIS order feeds, duplicate
 * checks from an EPR, readers of the study API. Each key has scopes (what it may do) and is bound to
 * one trust or, for a regional integration engine, to the whole consortium. Only the key's SHA-256 is
 * stored (api_keys, migrations 0003 and 0009); the key itself is shown once, when created.
 */
export const API_SCOPES = ['ingest', 'orders', 'duplicate-check', 'read', 'reference-data'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const isApiScope = (text: string): text is ApiScope => (API_SCOPES as readonly string[]).includes(text);

/** A key as a request presents it: who it is, for which trust (null: the whole consortium), what it may do. */
export interface ApiKeyPrincipal {
  readonly keyId: number;
  /** The calling system's name: recorded as the sender of what it stores, and logged. */
  readonly name: string;
  /** The trust the key acts for; null for a consortium key. */
  readonly trustCode: string | null;
  readonly trustId: number | null;
  readonly scopes: readonly ApiScope[];
}

export type AuthenticateApiKey = (apiKey: string) => Promise<ApiKeyPrincipal | undefined>;

export interface ApiKeyInfo {
  readonly name: string;
  readonly trustCode: string | null;
  readonly consortium: boolean;
  readonly scopes: readonly ApiScope[];
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

function checkScopes(scopes: readonly string[]): ApiScope[] {
  const unique = [...new Set(scopes)];
  const unknown = unique.filter((s) => !isApiScope(s));
  if (unique.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      `Scopes must be one or more of ${API_SCOPES.join(', ')}` + (unknown.length ? ` (got ${unknown.join(', ')})` : ''),
      { scopes: unique },
    );
  }
  return API_SCOPES.filter((s) => unique.includes(s));
}

/**
 * Creates a key named `name` for the trust `trustCode` (null: the whole consortium) with `scopes`,
 * and returns it; only its hash is kept. The default scope is what every key could do before scopes
 * existed. Names stay taken after revocation, so a sender name in the received-object ledger never
 * means two systems.
 */
export async function createApiKey(
  db: QueryRunner,
  name: string,
  trustCode: string | null,
  scopes: readonly string[] = ['ingest'],
): Promise<string> {
  if (!NAME.test(name)) {
    throw new ValidationError(
      'API key name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  const checked = checkScopes(scopes);
  if (trustCode !== null) {
    const trust = await db.query(sql`SELECT 1 FROM trusts WHERE code = ${trustCode}`);
    if (trust.rows.length === 0) throw new NotFoundError(`unknown trust ${JSON.stringify(trustCode)}`, { trustCode });
  }
  const key = randomBytes(KEY_BYTES).toString('base64url');
  const { rows } = await db.query<{ api_key_id: number }>(sql`
    INSERT INTO api_keys (name, trust_id, consortium, scopes, key_sha256)
    VALUES (${name}, (SELECT trust_id FROM trusts WHERE code = ${trustCode}::text), ${trustCode === null},
            ${checked}, ${sha256Hex(key)})
    ON CONFLICT (name) DO NOTHING
    RETURNING api_key_id`);
  if (rows.length === 0) throw new ConflictError(`an API key named ${JSON.stringify(name)} already exists`, { name });
  return key;
}

/**
 * Revokes the key and returns it as it was before; revoking a revoked key changes nothing (its
 * revocation time is kept).
 */
export async function revokeApiKey(db: QueryRunner, name: string): Promise<ApiKeyInfo> {
  const before = (await listApiKeys(db)).find((k) => k.name === name);
  if (!before) throw new NotFoundError(`no API key named ${JSON.stringify(name)}`, { name });
  await db.query(sql`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE name = ${name}`);
  return before;
}

/** Every key's name, binding, scopes and dates, never the key or its hash. */
export async function listApiKeys(db: QueryRunner): Promise<ApiKeyInfo[]> {
  const { rows } = await db.query<ApiKeyInfo>({
    text: `SELECT k.name, t.code AS "trustCode", k.consortium, k.scopes, ${isoUtc('k.created_at')} AS "createdAt",
                  ${isoUtc('k.revoked_at')} AS "revokedAt"
           FROM api_keys k LEFT JOIN trusts t ON t.trust_id = k.trust_id
           ORDER BY k.name`,
  });
  return rows;
}

/**
 * The caller a presented key belongs to, or undefined (unknown or revoked). The lookup is on the
 * key's SHA-256, never on the key: the index search time can only reveal something about the hash
 * of the guess, which tells an attacker nothing about any real key, so no constant-time compare is
 * needed on top of it.
 */
export async function authenticateApiKey(db: QueryRunner, key: string): Promise<ApiKeyPrincipal | undefined> {
  if (key === '' || key.length > MAX_PRESENTED_KEY_CHARS) return undefined;
  const { rows } = await db.query<{
    api_key_id: string;
    name: string;
    trust_code: string | null;
    trust_id: string | null;
    scopes: string[];
  }>(sql`
    SELECT k.api_key_id, k.name, t.code AS trust_code, k.trust_id, k.scopes
    FROM api_keys k LEFT JOIN trusts t ON t.trust_id = k.trust_id
    WHERE k.key_sha256 = ${sha256Hex(key)} AND k.revoked_at IS NULL`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    keyId: Number(row.api_key_id),
    name: row.name,
    trustCode: row.trust_code,
    trustId: row.trust_id === null ? null : Number(row.trust_id),
    scopes: row.scopes.filter(isApiScope),
  };
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
