import express, { type Router } from 'express';
import { KermaError } from '../../core/index.ts';
import {
  addressOf,
  checkPasswordPolicy,
  createSession,
  findCredentials,
  MIN_PASSWORD_LENGTH,
  recordAudit,
  requestIdOf,
  requireCsrf,
  requireUser,
  setPassword,
  setSessionCookie,
  verifyPassword,
} from '../../access/index.ts';
import { ErrorState, FormField, Page, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';

const page = PAGES.changePassword;

function ChangePasswordPage(props: { context: PageContext; problem?: string; done?: boolean }) {
  return (
    <Page context={props.context} title={page.title}>
      {props.problem ? <ErrorState title={props.problem} /> : null}
      {props.done ? (
        <p class="notice" role="status">
          Your password has been changed. Your other sessions have been signed out.
        </p>
      ) : null}
      <form method="post" action={page.path} class="stacked-form">
        <input type="hidden" name="_csrf" value={props.context.csrfToken} />
        <FormField label="Current password" name="current" type="password" autocomplete="current-password" required />
        <FormField
          label="New password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          hint={`At least ${MIN_PASSWORD_LENGTH} characters; not a commonly used password. A phrase of several words works well.`}
        />
        <FormField label="New password again" name="confirm" type="password" autocomplete="new-password" required />
        <button type="submit" class="primary">
          Change password
        </button>
      </form>
    </Page>
  );
}

/** Checks the form; returns the problem to show, or undefined when the new password may be set. */
async function problemWith(deps: DashboardDependencies, context: PageContext, body: Record<string, unknown>) {
  const text = (key: string): string => (typeof body[key] === 'string' ? body[key] : '');
  const credentials = await findCredentials(deps.db, context.user.name);
  if (!credentials || !(await verifyPassword(credentials.passwordHash, text('current')))) {
    return 'The current password is not correct.';
  }
  if (text('password') !== text('confirm')) return 'The two new passwords are not the same.';
  try {
    checkPasswordPolicy(text('password'), context.user.name);
  } catch (error) {
    if (error instanceof KermaError) return error.message;
    throw error;
  }
  return undefined;
}

export function changePasswordRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), (req, res) => {
    sendHtml(res, <ChangePasswordPage context={pageContext(req)} />);
  });
  router.post(
    page.path,
    express.urlencoded({ extended: false, limit: '8kb' }),
    requireUser(page.roles),
    requireCsrf,
    async (req, res) => {
      const context = pageContext(req);
      const body = req.body as Record<string, unknown>;
      const problem = await problemWith(deps, context, body);
      if (problem) return sendHtml(res, <ChangePasswordPage context={context} problem={problem} />, 400);
      // Setting the password ends every session of the account, this one too: it continues in a new one.
      await setPassword(deps.db, context.user.userId, body.password as string);
      const session = await createSession(deps.db, context.user.userId);
      setSessionCookie(res, deps.sessions, session.token);
      await recordAudit(deps.db, {
        actorKind: 'user',
        actorId: context.user.userId,
        actorName: context.user.name,
        action: 'password.change',
        subjectKind: 'user',
        subjectKey: context.user.name,
        address: addressOf(req),
        requestId: requestIdOf(req),
      });
      sendHtml(res, <ChangePasswordPage context={{ ...context, csrfToken: session.csrfToken }} done />);
    },
  );
}
