import { createHash } from 'node:crypto';
import { sql, type QueryRunner } from '../../core/index.ts';
import { NO_PASSWORD } from '../passwords.ts';
import type { Role } from '../types.ts';

/** A person as the provider vouches for them: (issuer, subject) is the key, the rest only suggests a name. */
export interface ProviderIdentity {
  readonly issuer: string;
  readonly subject: string;
  /** preferred_username, email or name, for a readable Kerma user name; never used to find a user. */
  readonly suggestedName: string | undefined;
}

export interface LinkedUser {
  readonly userId: number;
  readonly disabled: boolean;
}

/** The Kerma user an identity is linked to, locked until the transaction ends (two tabs signing in at once). */
export async function findLinkedUser(db: QueryRunner, identity: ProviderIdentity): Promise<LinkedUser | undefined> {
  const { rows } = await db.query<{ user_id: string; disabled: boolean }>(sql`
    SELECT u.user_id, u.disabled_at IS NOT NULL AS disabled
      FROM oidc_identities i JOIN users u USING (user_id)
     WHERE i.issuer = ${identity.issuer} AND i.subject = ${identity.subject}
       FOR UPDATE OF i`);
  const row = rows[0];
  return row ? { userId: Number(row.user_id), disabled: row.disabled } : undefined;
}

const NAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;
const identityHash = (identity: ProviderIdentity): string =>
  createHash('sha256').update(`${identity.issuer}\n${identity.subject}`).digest('hex').slice(0, 10);

/**
 * Kerma user names to try for a new identity: the provider's suggestion made to fit the name rule,
 * then the same with a suffix from the identity's hash (a local "alice" is never taken over by a
 * provider's "alice"), then the hash alone when the provider suggests nothing usable.
 */
export function candidateNames(identity: ProviderIdentity): string[] {
  const hash = identityHash(identity);
  const base = (identity.suggestedName ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 53);
  const names = NAME.test(base) ? [base, `${base}-${hash}`] : [];
  return [...names, `sso-${hash}`];
}

/** Creates a user who signs in only through the provider (no password) and links the identity to it. */
export async function createLinkedUser(
  db: QueryRunner,
  identity: ProviderIdentity,
  roles: readonly Role[],
): Promise<number> {
  for (const name of candidateNames(identity)) {
    const { rows } = await db.query<{ user_id: string }>(sql`
      INSERT INTO users (name, password_hash, roles) VALUES (${name}, ${NO_PASSWORD}, ${roles})
      ON CONFLICT (name) DO NOTHING RETURNING user_id`);
    if (rows[0]) {
      await db.query(sql`
        INSERT INTO oidc_identities (issuer, subject, user_id) VALUES (${identity.issuer}, ${identity.subject}, ${rows[0].user_id})`);
      return Number(rows[0].user_id);
    }
  }
  throw new Error('no free user name for a new OpenID Connect identity');
}

/** Trust ids of the codes Kerma knows; codes the mapping names but no trust has are left out. */
export async function knownTrusts(
  db: QueryRunner,
  codes: readonly string[],
): Promise<{ trustId: number; code: string }[]> {
  const { rows } = await db.query<{ trust_id: string; code: string }>(sql`
    SELECT trust_id, code FROM trusts WHERE code = ANY(${codes}) ORDER BY code`);
  return rows.map((r) => ({ trustId: Number(r.trust_id), code: r.code }));
}

/**
 * Sets a user's roles and trusts to what the provider's claims map to now: the provider is the source
 * of truth for these users, so a role withdrawn there is withdrawn here at the next sign-in.
 */
export async function applyAccess(
  db: QueryRunner,
  userId: number,
  roles: readonly Role[],
  trustIds: readonly number[],
): Promise<void> {
  await db.query(sql`UPDATE users SET roles = ${roles} WHERE user_id = ${userId}`);
  await db.query(sql`DELETE FROM user_trusts WHERE user_id = ${userId} AND NOT (trust_id = ANY(${trustIds}))`);
  await db.query(sql`
    INSERT INTO user_trusts (user_id, trust_id) SELECT ${userId}, unnest(${trustIds}::bigint[]) ON CONFLICT DO NOTHING`);
}

export async function touchIdentity(db: QueryRunner, identity: ProviderIdentity): Promise<void> {
  await db.query(sql`
    UPDATE oidc_identities SET last_sign_in = now() WHERE issuer = ${identity.issuer} AND subject = ${identity.subject}`);
}
