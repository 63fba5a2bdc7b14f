import type { Request, Response, Router } from 'express';
import { NotFoundError, UnavailableError } from '../../core/index.ts';
import {
  addressOf,
  cookieNames,
  issueSignInCsrf,
  readCookie,
  requestIdOf,
  safeNextPath,
  setSessionCookie,
  FLOW_LIFETIME_MINUTES,
  OIDC_CALLBACK_PATH,
  type SessionPolicy,
} from '../../access/index.ts';
import { PublicPage } from '../components/index.ts';
import type { DashboardDependencies } from '../context.ts';
import { sendHtml } from '../render.tsx';
import { OIDC_START_PATH, signInPageFor } from './sign-in.tsx';

/** One message for every refusal: the audit log says why (no mapped role, disabled, tampered response…). */
export const OIDC_SIGN_IN_FAILED = (provider: string): string =>
  `Sign-in with ${provider} did not succeed. If you should have access to Kerma, ask your administrator.`;

const flowCookieName = (policy: SessionPolicy): string => `${policy.secureCookies ? '__Host-' : ''}kerma_oidc_flow`;

/**
 * SameSite=Lax, unlike Kerma's other cookies: the provider sends the browser back with a cross-site
 * navigation, on which a Strict cookie would not be sent. It holds only the flow's random token.
 */
function flowCookieOptions(policy: SessionPolicy) {
  return { httpOnly: true, sameSite: 'lax', secure: policy.secureCookies, path: '/' } as const;
}

function requireOidc(deps: DashboardDependencies) {
  if (!deps.oidc) throw new NotFoundError('Sign-in through an identity provider is not configured here');
  return deps.oidc;
}

/**
 * The session cookie is SameSite=Strict, and a browser withholds it on every hop of a navigation that a
 * cross-site page began, the provider's redirect to this callback included. So the callback answers
 * with a page that moves on by itself (a meta refresh is a navigation of Kerma's own page, and the CSP
 * allows it, unlike a script); the link is for browsers that do not follow it.
 */
function ContinuePage(props: { next: string }) {
  return (
    <PublicPage title="Signed in" refreshTo={props.next}>
      <p>
        <a href={props.next}>Continue to Kerma</a>
      </p>
    </PublicPage>
  );
}

async function start(deps: DashboardDependencies, req: Request, res: Response): Promise<void> {
  const oidc = requireOidc(deps);
  const next = safeNextPath(req.query.next);
  let begun: Awaited<ReturnType<typeof oidc.begin>>;
  try {
    begun = await oidc.begin(next);
  } catch (error) {
    // The provider is down: say so on the sign-in page, where a password may still work.
    if (!(error instanceof UnavailableError)) throw error;
    const csrfToken = issueSignInCsrf(req, res, deps.sessions);
    return sendHtml(res, signInPageFor(deps, { csrfToken, next, problem: error.message }), 503);
  }
  const { redirectTo, flowToken } = begun;
  res.cookie(flowCookieName(deps.sessions), flowToken, {
    ...flowCookieOptions(deps.sessions),
    maxAge: FLOW_LIFETIME_MINUTES * 60_000,
  });
  res.set('Cache-Control', 'no-store').redirect(303, redirectTo);
}

async function callback(deps: DashboardDependencies, req: Request, res: Response): Promise<void> {
  const oidc = requireOidc(deps);
  const name = flowCookieName(deps.sessions);
  const flowToken = readCookie(req, name);
  res.clearCookie(name, flowCookieOptions(deps.sessions));
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  const result = await oidc.complete({ query, flowToken, address: addressOf(req), requestId: requestIdOf(req) });
  if (result.kind === 'refused') {
    const csrfToken = issueSignInCsrf(req, res, deps.sessions);
    const problem = OIDC_SIGN_IN_FAILED(oidc.providerName);
    return sendHtml(res, signInPageFor(deps, { csrfToken, next: '/', problem }), 401);
  }
  setSessionCookie(res, deps.sessions, result.session.token);
  res.clearCookie(cookieNames(deps.sessions).signInCsrf, { path: '/' });
  sendHtml(res, <ContinuePage next={safeNextPath(result.nextPath)} />);
}

/**
 * Sign-in through the identity provider: GET /sign-in/oidc redirects to it, the callback makes the
 * session. Registered whether or not a provider is configured (they answer 404 without one), so the
 * route sweep always sees them.
 */
export function oidcSignInRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(OIDC_START_PATH, (req, res, next) => {
    start(deps, req, res).catch(next);
  });
  router.get(OIDC_CALLBACK_PATH, (req, res, next) => {
    callback(deps, req, res).catch(next);
  });
}
