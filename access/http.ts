import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ForbiddenError, type QueryRunner } from '../core/index.ts';
import { resolveSession, type ActiveSession } from './sessions.ts';
import type { Role, SessionPolicy, SignedInUser } from './types.ts';

/** Where a page sends a visitor who is not signed in. */
export const SIGN_IN_PATH = '/sign-in';

export interface RequestSession extends ActiveSession {
  readonly token: string;
}

const sessions = new WeakMap<Request, RequestSession>();
const requestIds = new WeakMap<Request, string>();

/** The signed-in session of this request, set by sessionMiddleware. */
export const sessionOf = (req: Request): RequestSession | undefined => sessions.get(req);
export const userOf = (req: Request): SignedInUser | undefined => sessions.get(req)?.user;

/** A proxy's X-Request-Id when it looks like one, else a new UUID: the audit log's request id. */
export function requestIdOf(req: Request): string {
  let id = requestIds.get(req);
  if (!id) {
    const header = req.get('x-request-id');
    id = header && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
    requestIds.set(req, id);
  }
  return id;
}

export const addressOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Cookie names: with Secure, the __Host- prefix also forbids a Domain attribute and a sub-path. */
export function cookieNames(policy: SessionPolicy): { session: string; signInCsrf: string } {
  const prefix = policy.secureCookies ? '__Host-' : '';
  return { session: `${prefix}kerma_session`, signInCsrf: `${prefix}kerma_sign_in_csrf` };
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

const cookieOptions = (policy: SessionPolicy) =>
  ({ httpOnly: true, sameSite: 'strict', secure: policy.secureCookies, path: '/' }) as const;

export function setSessionCookie(res: Response, policy: SessionPolicy, token: string): void {
  res.cookie(cookieNames(policy).session, token, cookieOptions(policy));
}

export function clearSessionCookie(res: Response, policy: SessionPolicy): void {
  res.clearCookie(cookieNames(policy).session, cookieOptions(policy));
}

/**
 * The sign-in form has no session yet, so its CSRF token is a double-submit pair: a random cookie
 * (HttpOnly, SameSite=Strict) and the same value in the form. Another site can neither read the cookie
 * nor send it.
 */
export function issueSignInCsrf(req: Request, res: Response, policy: SessionPolicy): string {
  const name = cookieNames(policy).signInCsrf;
  const existing = readCookie(req, name);
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  res.cookie(name, token, cookieOptions(policy));
  return token;
}

export const sameToken = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Looks up the session cookie on every request; pages and APIs then ask requireUser. */
export function sessionMiddleware(db: QueryRunner, policy: SessionPolicy): RequestHandler {
  const name = cookieNames(policy).session;
  return (req, _res, next) => {
    const token = readCookie(req, name);
    if (!token) return next();
    resolveSession(db, token, policy).then((session) => {
      if (session) sessions.set(req, { ...session, token });
      next();
    }, next);
  };
}

/**
 * Admits a signed-in user holding one of `roles` (any role when omitted). Without a session a page
 * redirects to the sign-in page (htmx requests get HX-Redirect) and an API answers 401 JSON; a user
 * without the role gets 403.
 */
export function requireUser(roles?: readonly Role[], answer: 'page' | 'api' = 'page'): RequestHandler {
  return (req, res, next) => {
    const user = userOf(req);
    if (!user) {
      if (answer === 'api') {
        res.status(401).json({ error: { code: 'unauthorized', message: 'Sign in first' } });
      } else if (req.get('hx-request') === 'true') {
        res.status(401).set('HX-Redirect', SIGN_IN_PATH).end();
      } else {
        const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
        res.redirect(303, `${SIGN_IN_PATH}${back}`);
      }
      return;
    }
    if (roles && !user.roles.some((role) => roles.includes(role))) {
      next(new ForbiddenError('Your role does not give access to this page'));
      return;
    }
    next();
  };
}

/** Refuses a state-changing request whose CSRF token (form field _csrf or X-CSRF-Token) is not the session's. */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  const body = req.body as Record<string, unknown> | undefined;
  const presented = typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
  if (!sameToken(presented, sessionOf(req)?.csrfToken)) {
    next(new ForbiddenError('The form has expired or did not come from Kerma: reload the page and try again'));
    return;
  }
  next();
};

/** Only an "open redirect"-safe local path may be the target after sign-in. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : '/';
}
