import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError, UnavailableError, sql, type QueryRunner } from '../core/index.ts';
import { authenticateApiKey, presentedApiKey, type ApiKeyPrincipal, type ApiScope } from './api-keys.ts';
import { requireCsrf, userOf } from './http.ts';
import type { AuditEntry, Role, SignedInUser } from './types.ts';

/**
 * Who is calling a JSON API: a signed-in user (browser session) or an API key. Either way the data
 * layer gets `trustIds`, the trusts whose patient-level data the caller may see:
 * - a user: the trusts they belong to;
 * - a trust-bound key: its one trust;
 * - a consortium key: every trust (read when the request arrives, so a new trust is included).
 *
 * Usage in a feature's routes:
 *   router.get('/api/v1/studies', requireScope(db, 'read'), async (req, res) => {
 *     const { trustIds } = actorOf(req);
 *     res.json(await listStudies(db, trustIds, …));
 *   });
 *   router.post('/api/v1/orders', express.json(), requireScope(db, 'orders'), requireActorCsrf, …);
 */
export type Actor =
  | { readonly kind: 'user'; readonly user: SignedInUser; readonly trustIds: readonly number[] }
  | { readonly kind: 'api-key'; readonly key: ApiKeyPrincipal; readonly trustIds: readonly number[] };

const actors = new WeakMap<Request, Actor>();

/** The caller admitted by requireScope; throws (401) when the route did not mount requireScope. */
export function actorOf(req: Request): Actor {
  const actor = actors.get(req);
  if (!actor) throw new UnauthorizedError('no authenticated caller');
  return actor;
}

/** The audit log's actor columns for a caller. */
export function auditActor(actor: Actor): Pick<AuditEntry, 'actorKind' | 'actorId' | 'actorName' | 'trustCode'> {
  return actor.kind === 'user'
    ? { actorKind: 'user', actorId: actor.user.userId, actorName: actor.user.name }
    : {
        actorKind: 'api-key',
        actorId: actor.key.keyId,
        actorName: actor.key.name,
        trustCode: actor.key.trustCode ?? undefined,
      };
}

/** Long enough for a database restart; a caller told "unavailable" retries instead of dropping work. */
const RETRY_AFTER_S = 30;

async function keyActor(db: QueryRunner, key: string): Promise<Actor | undefined> {
  const principal = await authenticateApiKey(db, key);
  if (!principal) return undefined;
  if (principal.trustId !== null) return { kind: 'api-key', key: principal, trustIds: [principal.trustId] };
  const { rows } = await db.query<{ trust_id: string }>(sql`SELECT trust_id FROM trusts ORDER BY trust_id`);
  return { kind: 'api-key', key: principal, trustIds: rows.map((r) => Number(r.trust_id)) };
}

/**
 * Admits an API request from an API key holding `scope`, or from a signed-in user holding one of
 * `options.roles` (any role when omitted; scopes are for keys, roles for people). A presented key
 * wins over a session cookie. Answers 401 (with a Bearer challenge) without credentials or with an
 * invalid key, 403 for a key without the scope or a user without the role, 503 when the key store
 * cannot be read.
 */
export function requireScope(
  db: QueryRunner,
  scope: ApiScope,
  options: { readonly roles?: readonly Role[] } = {},
): RequestHandler {
  return (req, res, next) => {
    const key = presentedApiKey(req.headers);
    if (key === undefined) {
      const user = userOf(req);
      if (!user) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="kerma"');
        return next(new UnauthorizedError('sign in or present an API key (Authorization: Bearer <key>)'));
      }
      if (options.roles && !user.roles.some((role) => options.roles?.includes(role))) {
        return next(new ForbiddenError('your role does not give access to this API'));
      }
      actors.set(req, { kind: 'user', user, trustIds: user.trusts.map((t) => t.trustId) });
      return next();
    }
    keyActor(db, key).then(
      (actor) => {
        if (!actor) {
          res.setHeader('WWW-Authenticate', 'Bearer realm="kerma", error="invalid_token"');
          return next(new UnauthorizedError('invalid or revoked API key'));
        }
        if (actor.kind === 'api-key' && !actor.key.scopes.includes(scope)) {
          res.setHeader('WWW-Authenticate', `Bearer realm="kerma", error="insufficient_scope", scope="${scope}"`);
          return next(new ForbiddenError(`this API key lacks the scope "${scope}"`));
        }
        actors.set(req, actor);
        next();
      },
      (error: unknown) => {
        res.setHeader('Retry-After', String(RETRY_AFTER_S));
        next(new UnavailableError('cannot check the API key now, retry later', undefined, { cause: error }));
      },
    );
  };
}

/**
 * CSRF for a state-changing API request: a browser session's cookie is sent by the browser on its
 * own, so the request must carry the session's token (X-CSRF-Token); a key is sent only by the
 * caller that holds it, so a key request needs none. Mount after requireScope.
 */
export const requireActorCsrf: RequestHandler = (req, res, next) => {
  if (actorOf(req).kind === 'api-key') return next();
  return requireCsrf(req, res, next);
};
