import express, { type Router } from 'express';
import { NotFoundError } from '../../core/index.ts';
import {
  addressOf,
  cookieNames,
  issueSignInCsrf,
  requestIdOf,
  safeNextPath,
  sameToken,
  setSessionCookie,
  signIn,
  SIGN_IN_LIMITS,
  userOf,
  readCookie,
} from '../../access/index.ts';
import { ErrorState, FormField, PublicPage } from '../components/index.ts';
import type { DashboardDependencies } from '../context.ts';
import { PUBLIC_PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';

/** One message for every failure: it never tells whether the name exists or the account is disabled. */
export const SIGN_IN_FAILED = 'The user name or password is not correct.';
export const OIDC_START_PATH = '/sign-in/oidc';
export const SIGN_IN_LIMITED = `Too many attempts. Wait ${SIGN_IN_LIMITS.windowMinutes} minutes and try again, or ask an administrator.`;

interface SignInFormProps {
  readonly csrfToken: string;
  readonly next: string;
  readonly name?: string;
  readonly problem?: string;
  /** The identity provider's name when OpenID Connect sign-in is configured. */
  readonly oidcProvider?: string | undefined;
  /** False when the deployment signs in through OpenID Connect only. */
  readonly passwordSignIn?: boolean | undefined;
}

export function SignInPage(props: SignInFormProps) {
  const password = props.passwordSignIn !== false;
  return (
    <PublicPage title={PUBLIC_PAGES.signIn.title}>
      {props.problem ? <ErrorState title={props.problem} /> : null}
      {props.oidcProvider ? <OidcSignInButton provider={props.oidcProvider} next={props.next} /> : null}
      {props.oidcProvider && password ? <p class="sign-in-divider">or with a Kerma account</p> : null}
      {password ? (
        <form method="post" action={PUBLIC_PAGES.signIn.path} class="stacked-form">
          <input type="hidden" name="_csrf" value={props.csrfToken} />
          <input type="hidden" name="next" value={props.next} />
          <FormField label="User name" name="name" value={props.name} autocomplete="username" required autofocus />
          <FormField label="Password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
      ) : null}
      <p class="muted">Accounts are created by your Kerma administrator. There is no self-registration.</p>
    </PublicPage>
  );
}

/**
 * A link, not a form: the CSP's form-action 'self' would stop a form whose answer redirects to the
 * provider. Starting a sign-in changes nothing in Kerma, so it needs no CSRF token; the callback is
 * what state and the flow cookie protect.
 */
function OidcSignInButton(props: { provider: string; next: string }) {
  const href = props.next === '/' ? OIDC_START_PATH : `${OIDC_START_PATH}?next=${encodeURIComponent(props.next)}`;
  return (
    <p>
      <a class="sso-button" href={href}>
        Sign in with {props.provider}
      </a>
    </p>
  );
}

/** The sign-in page as this deployment has it: with the provider's button, with or without the password form. */
export function signInPageFor(deps: DashboardDependencies, props: SignInFormProps) {
  return <SignInPage {...props} oidcProvider={deps.oidc?.providerName} passwordSignIn={deps.passwordSignIn} />;
}

export function signInRoutes(router: Router, deps: DashboardDependencies): void {
  const path = PUBLIC_PAGES.signIn.path;
  router.get(path, (req, res) => {
    if (userOf(req)) return res.redirect(303, '/');
    const csrfToken = issueSignInCsrf(req, res, deps.sessions);
    sendHtml(res, signInPageFor(deps, { csrfToken, next: safeNextPath(req.query.next) }));
  });

  router.post(path, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res, fail) => {
    if (deps.passwordSignIn === false) return fail(new NotFoundError('Sign-in with a password is turned off here'));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (key: string): string => (typeof body[key] === 'string' ? body[key] : '');
    const next = safeNextPath(body.next);
    const cookieToken = readCookie(req, cookieNames(deps.sessions).signInCsrf);
    const csrfToken = issueSignInCsrf(req, res, deps.sessions);
    if (!sameToken(text('_csrf'), cookieToken)) {
      const problem = 'The sign-in form expired. Please try again.';
      return sendHtml(res, signInPageFor(deps, { csrfToken, next, problem }), 403);
    }
    const result = await signIn(deps.db, {
      name: text('name'),
      password: text('password'),
      address: addressOf(req),
      requestId: requestIdOf(req),
    });
    switch (result.kind) {
      case 'signed-in':
        setSessionCookie(res, deps.sessions, result.session.token);
        res.clearCookie(cookieNames(deps.sessions).signInCsrf, { path: '/' });
        return res.redirect(303, next);
      case 'refused':
        return sendHtml(
          res,
          signInPageFor(deps, { csrfToken, next, name: text('name'), problem: SIGN_IN_FAILED }),
          401,
        );
      case 'rate-limited':
        res.set('Retry-After', String(SIGN_IN_LIMITS.windowMinutes * 60));
        return sendHtml(
          res,
          signInPageFor(deps, { csrfToken, next, name: text('name'), problem: SIGN_IN_LIMITED }),
          429,
        );
    }
  });
}
