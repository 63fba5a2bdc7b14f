import { createHash, randomBytes } from 'node:crypto';
import { sql, type QueryRunner } from '../../core/index.ts';

/**
 * Sign-in flows under way (table oidc_flows, migration 0011): from the redirect to the provider until
 * its callback. Ten minutes covers a person typing a password and a second factor at the provider;
 * a flow older than that is refused and its row is removed by the next flow that begins.
 */
export const FLOW_LIFETIME_MINUTES = 10;

export interface FlowChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where to go after sign-in (already made safe by safeNextPath). */
  readonly nextPath: string;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Stores a flow and returns the random token the browser keeps in its flow cookie. */
export async function beginFlow(db: QueryRunner, checks: FlowChecks): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(sql`
    DELETE FROM oidc_flows WHERE created_at < now() - make_interval(mins => ${FLOW_LIFETIME_MINUTES})`);
  await db.query(sql`
    INSERT INTO oidc_flows (token_sha256, state, nonce, code_verifier, next_path)
    VALUES (${sha256Hex(token)}, ${checks.state}, ${checks.nonce}, ${checks.codeVerifier}, ${checks.nextPath})`);
  return token;
}

/** Takes the flow of a cookie token, once: a replayed callback finds nothing. */
export async function consumeFlow(db: QueryRunner, token: string): Promise<FlowChecks | undefined> {
  const { rows } = await db.query<{
    state: string;
    nonce: string;
    code_verifier: string;
    next_path: string;
    fresh: boolean;
  }>(sql`
    DELETE FROM oidc_flows WHERE token_sha256 = ${sha256Hex(token)}
    RETURNING state, nonce, code_verifier, next_path,
              created_at > now() - make_interval(mins => ${FLOW_LIFETIME_MINUTES}) AS fresh`);
  const row = rows[0];
  if (!row?.fresh) return undefined;
  return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, nextPath: row.next_path };
}
