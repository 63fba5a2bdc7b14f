import { ConflictError, NotFoundError, ValidationError, sql, type QueryRunner } from '../core/index.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { isRole, type Role, type SignedInUser, type TrustRef, type UserSummary } from './types.ts';

/** Lower case, so "Alice" and "alice" are one account; the migration's CHECK holds the same rule. */
const NAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export function normaliseUserName(name: string): string {
  return name.trim().toLowerCase();
}

interface UserRow {
  user_id: string;
  name: string;
  roles: string[];
  trusts: TrustRef[] | null;
  disabled: boolean;
  created_at: string;
  password_changed_at: string;
}

const isoUtc = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const USER_COLUMNS = `
  u.user_id, u.name, u.roles, u.disabled_at IS NOT NULL AS disabled,
  ${isoUtc('u.created_at')} AS created_at, ${isoUtc('u.password_changed_at')} AS password_changed_at,
  (SELECT json_agg(json_build_object('trustId', t.trust_id, 'code', t.code, 'name', t.name) ORDER BY t.code)
     FROM user_trusts ut JOIN trusts t USING (trust_id) WHERE ut.user_id = u.user_id) AS trusts`;

function toSummary(row: UserRow): UserSummary {
  return {
    userId: Number(row.user_id),
    name: row.name,
    roles: row.roles.filter(isRole),
    trusts: (row.trusts ?? []).map((t) => ({ ...t, trustId: Number(t.trustId) })),
    disabled: row.disabled,
    createdAt: row.created_at,
    passwordChangedAt: row.password_changed_at,
  };
}

export interface NewUser {
  readonly name: string;
  readonly roles: readonly string[];
  readonly trustCodes: readonly string[];
  readonly password: string;
}

function checkNewUser(user: NewUser, name: string): Role[] {
  if (!NAME.test(name)) {
    throw new ValidationError(
      'User name must be 2-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
    );
  }
  const roles = [...new Set(user.roles)];
  const unknown = roles.filter((r) => !isRole(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      `Roles must be one or more of physicist, radiographer, governance, admin (got ${roles.join(', ')})`,
    );
  }
  if (user.trustCodes.length === 0) throw new ValidationError('A user belongs to at least one trust (--trust CODE)');
  checkPasswordPolicy(user.password, name);
  return roles.filter(isRole);
}

/** Creates a user in its trusts, in one transaction-free statement so a failure leaves nothing behind. */
export async function createUser(db: QueryRunner, user: NewUser): Promise<UserSummary> {
  const name = normaliseUserName(user.name);
  const roles = checkNewUser(user, name);
  const codes = [...new Set(user.trustCodes)];
  const known = await db.query<{ code: string }>(sql`SELECT code FROM trusts WHERE code = ANY(${codes})`);
  const missing = codes.filter((c) => !known.rows.some((r) => r.code === c));
  if (missing.length > 0) throw new NotFoundError(`No trust with code ${missing.join(', ')}`);
  const passwordHash = await hashPassword(user.password);
  const inserted = await db.query<{ user_id: string }>(sql`
    WITH new_user AS (
      INSERT INTO users (name, password_hash, roles) VALUES (${name}, ${passwordHash}, ${roles})
      ON CONFLICT (name) DO NOTHING RETURNING user_id
    ), memberships AS (
      INSERT INTO user_trusts (user_id, trust_id)
      SELECT new_user.user_id, trusts.trust_id FROM new_user, trusts WHERE trusts.code = ANY(${codes})
    )
    SELECT user_id FROM new_user`);
  if (inserted.rows.length === 0) throw new ConflictError(`A user named "${name}" already exists`);
  return (await findUser(db, name)) as UserSummary;
}

export async function findUser(db: QueryRunner, name: string): Promise<UserSummary | undefined> {
  const { rows } = await db.query<UserRow>({
    text: `SELECT ${USER_COLUMNS} FROM users u WHERE u.name = $1`,
    values: [normaliseUserName(name)],
  });
  return rows[0] ? toSummary(rows[0]) : undefined;
}

export async function findUserById(db: QueryRunner, userId: number): Promise<SignedInUser | undefined> {
  const { rows } = await db.query<UserRow>({
    text: `SELECT ${USER_COLUMNS} FROM users u WHERE u.user_id = $1 AND u.disabled_at IS NULL`,
    values: [userId],
  });
  if (!rows[0]) return undefined;
  const { userId: id, name, roles, trusts } = toSummary(rows[0]);
  return { userId: id, name, roles, trusts };
}

export async function listUsers(db: QueryRunner): Promise<UserSummary[]> {
  const { rows } = await db.query<UserRow>({ text: `SELECT ${USER_COLUMNS} FROM users u ORDER BY u.name` });
  return rows.map(toSummary);
}

/** What sign-in needs: the hash, and whether the account may sign in at all. */
export async function findCredentials(
  db: QueryRunner,
  name: string,
): Promise<{ userId: number; passwordHash: string; disabled: boolean } | undefined> {
  const { rows } = await db.query<{ user_id: string; password_hash: string; disabled: boolean }>(sql`
    SELECT user_id, password_hash, disabled_at IS NOT NULL AS disabled FROM users WHERE name = ${normaliseUserName(name)}`);
  const row = rows[0];
  return row ? { userId: Number(row.user_id), passwordHash: row.password_hash, disabled: row.disabled } : undefined;
}

/** Disables an account and ends its sessions at once. */
export async function disableUser(db: QueryRunner, name: string): Promise<UserSummary> {
  const { rows } = await db.query<{ user_id: string }>(sql`
    UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE name = ${normaliseUserName(name)} RETURNING user_id`);
  if (!rows[0]) throw new NotFoundError(`No user named "${name}"`);
  await db.query(sql`DELETE FROM sessions WHERE user_id = ${rows[0].user_id}`);
  return (await findUser(db, name)) as UserSummary;
}

/** Sets a new password (checked against the policy) and ends every session of the account. */
export async function setPassword(db: QueryRunner, userId: number, password: string): Promise<void> {
  const { rows } = await db.query<{ name: string }>(sql`SELECT name FROM users WHERE user_id = ${userId}`);
  if (!rows[0]) throw new NotFoundError('No such user');
  checkPasswordPolicy(password, rows[0].name);
  const passwordHash = await hashPassword(password);
  await db.query(
    sql`UPDATE users SET password_hash = ${passwordHash}, password_changed_at = now() WHERE user_id = ${userId}`,
  );
  await db.query(sql`DELETE FROM sessions WHERE user_id = ${userId}`);
}
