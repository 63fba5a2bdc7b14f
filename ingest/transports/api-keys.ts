import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError, UnavailableError, loggableError, type Logger } from '../../core/index.ts';
import { presentedApiKey, type ApiKeyPrincipal, type ApiScope, type AuthenticateApiKey } from '../../access/index.ts';

// The key store (scopes, trust or consortium binding) lives in access/, since orders, duplicate
// checks and the read API use the same keys; these re-exports keep the ingest index's names.
export {
  authenticateApiKey,
  createApiKey,
  listApiKeys,
  presentedApiKey,
  revokeApiKey,
  type ApiKeyInfo,
  type ApiKeyPrincipal,
  type AuthenticateApiKey,
} from '../../access/index.ts';

/** Where the API key middleware leaves the authenticated sender for the route handler. */
export function principalOf(locals: Record<string, unknown>): ApiKeyPrincipal {
  const principal = locals.apiKeyPrincipal as ApiKeyPrincipal | undefined;
  if (!principal) throw new UnauthorizedError('no authenticated sender');
  return principal;
}

/**
 * Express middleware requiring a valid API key with one of `scopes`: 401 with a Bearer challenge
 * (RFC 6750 §3) when it is missing or invalid, 403 when it lacks the scope. When the key store
 * cannot be read the answer is 503, not 401: a sender told "unauthorised" may drop its queue, one
 * told "unavailable" keeps the objects and retries.
 */
export function requireApiKey(
  authenticate: AuthenticateApiKey,
  logger: Logger,
  retryAfterS: number,
  scopes: readonly ApiScope[],
): RequestHandler {
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
    if (!principal.scopes.some((scope) => scopes.includes(scope))) {
      res.setHeader(
        'WWW-Authenticate',
        `Bearer realm="kerma", error="insufficient_scope", scope="${scopes.join(' ')}"`,
      );
      throw new ForbiddenError(`this API key lacks the scope "${scopes.join('" or "')}"`);
    }
    res.locals.apiKeyPrincipal = principal;
    next();
  };
}
