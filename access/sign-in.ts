import { sql, type QueryRunner } from '../core/index.ts';
import { recordAudit } from './audit.ts';
import { spendVerifyTime, verifyPassword, MAX_PASSWORD_LENGTH, NO_PASSWORD } from './passwords.ts';
import { createSession, type NewSession } from './sessions.ts';
import { findCredentials, findUserById, normaliseUserName } from './users.ts';
import type { SignedInUser } from './types.ts';

/**
 * Failed attempts allowed in the window before sign-in is refused without checking the password:
 * per account, it stops guessing one person's password (the account's owner waits 15 minutes);
 * per address, it stops one machine trying many accounts. Counted in PostgreSQL, so the limits hold
 * however many Kerma instances share the database.
 */
export const SIGN_IN_LIMITS = { windowMinutes: 15, perAccount: 5, perAddress: 20 } as const;

export interface SignInRequest {
  readonly name: string;
  readonly password: string;
  readonly address: string;
  readonly requestId?: string | undefined;
}

export type SignInResult =
  | { readonly kind: 'signed-in'; readonly session: NewSession; readonly user: SignedInUser }
  | { readonly kind: 'refused' }
  | { readonly kind: 'rate-limited' };

async function isLimited(db: QueryRunner, account: string, address: string): Promise<boolean> {
  const { rows } = await db.query<{ by_account: number; by_address: number }>(sql`
    SELECT count(*) FILTER (WHERE account = ${account})::int AS by_account,
           count(*) FILTER (WHERE address = ${address})::int AS by_address
      FROM sign_in_attempts
     WHERE NOT succeeded AND attempted_at > now() - make_interval(mins => ${SIGN_IN_LIMITS.windowMinutes})
       AND (account = ${account} OR address = ${address})`);
  const counts = rows[0] ?? { by_account: 0, by_address: 0 };
  return counts.by_account >= SIGN_IN_LIMITS.perAccount || counts.by_address >= SIGN_IN_LIMITS.perAddress;
}

/** Checks the password (or spends the same time when the account is unknown or disabled). */
async function checkCredentials(db: QueryRunner, account: string, password: string): Promise<SignedInUser | undefined> {
  const credentials = await findCredentials(db, account);
  const unusable = !credentials || credentials.disabled || credentials.passwordHash === NO_PASSWORD;
  if (unusable || password.length > MAX_PASSWORD_LENGTH) {
    await spendVerifyTime(password.slice(0, MAX_PASSWORD_LENGTH));
    return undefined;
  }
  if (!(await verifyPassword(credentials.passwordHash, password))) return undefined;
  return findUserById(db, credentials.userId);
}

/**
 * The sign-in use case. Every way of failing (unknown name, wrong password, disabled account) gives
 * the same result, so the answer never tells which names exist. Every outcome is audited; the name
 * typed is recorded only when it is an account's, since people sometimes type a password there.
 */
export async function signIn(db: QueryRunner, request: SignInRequest): Promise<SignInResult> {
  const account = normaliseUserName(request.name).slice(0, 64);
  const audit = { address: request.address, requestId: request.requestId };
  if (await isLimited(db, account, request.address)) {
    await recordAudit(db, { ...audit, actorKind: 'anonymous', action: 'sign-in.rate-limited' });
    return { kind: 'rate-limited' };
  }
  const user = await checkCredentials(db, account, request.password);
  await db.query(sql`
    INSERT INTO sign_in_attempts (account, address, succeeded) VALUES (${account}, ${request.address}, ${user !== undefined})`);
  if (!user) {
    const known = await findCredentials(db, account);
    await recordAudit(db, {
      ...audit,
      actorKind: known ? 'user' : 'anonymous',
      actorId: known?.userId,
      actorName: known ? account : undefined,
      action: 'sign-in.failure',
    });
    return { kind: 'refused' };
  }
  const session = await createSession(db, user.userId);
  await recordAudit(db, {
    ...audit,
    actorKind: 'user',
    actorId: user.userId,
    actorName: user.name,
    action: 'sign-in.success',
  });
  return { kind: 'signed-in', session, user };
}
