import { createHash, randomBytes } from 'node:crypto';
import { sql, type QueryRunner } from '../core/index.ts';
import type { SessionPolicy, SignedInUser } from './types.ts';
import { findUserById } from './users.ts';

/**
 * Browser sessions in PostgreSQL (table sessions, migration 0008), so every Kerma instance behind a
 * load balancer sees the same ones. The cookie carries a random token; the table keeps its SHA-256.
 */
export interface NewSession {
  readonly token: string;
  readonly csrfToken: string;
}

export interface ActiveSession {
  readonly user: SignedInUser;
  readonly csrfToken: string;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const newToken = (): string => randomBytes(32).toString('base64url');

export async function createSession(db: QueryRunner, userId: number): Promise<NewSession> {
  const session = { token: newToken(), csrfToken: newToken() };
  await db.query(sql`
    INSERT INTO sessions (token_sha256, user_id, csrf_token) VALUES (${sha256Hex(session.token)}, ${userId}, ${session.csrfToken})`);
  return session;
}

/**
 * The session of a cookie token if it is neither idle too long nor too old, touching its last use;
 * an expired one is deleted. A disabled user has no session.
 */
export async function resolveSession(
  db: QueryRunner,
  token: string,
  policy: SessionPolicy,
): Promise<ActiveSession | undefined> {
  const key = sha256Hex(token);
  const { rows } = await db.query<{ user_id: string; csrf_token: string }>(sql`
    UPDATE sessions SET last_seen_at = now()
     WHERE token_sha256 = ${key}
       AND last_seen_at > now() - make_interval(mins => ${policy.idleTimeoutMinutes})
       AND created_at > now() - make_interval(hours => ${policy.absoluteTimeoutHours})
    RETURNING user_id, csrf_token`);
  const row = rows[0];
  if (!row) {
    await endSession(db, token);
    return undefined;
  }
  const user = await findUserById(db, Number(row.user_id));
  return user ? { user, csrfToken: row.csrf_token } : undefined;
}

export async function endSession(db: QueryRunner, token: string): Promise<void> {
  await db.query(sql`DELETE FROM sessions WHERE token_sha256 = ${sha256Hex(token)}`);
}
