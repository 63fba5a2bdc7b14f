import type { Router } from 'express';
import { NotFoundError } from '../../../core/index.ts';
import {
  ROLES,
  createUser,
  disableUser,
  findUser,
  generatePassword,
  listUsers,
  requireUser,
  setPassword,
  type UserSummary,
} from '../../../access/index.ts';
import { FormField, Table, type Column, type PageContext } from '../../components/index.ts';
import { pageContext, type DashboardDependencies } from '../../context.ts';
import { formatDateTime } from '../../format.ts';
import { PAGES } from '../../pages.ts';
import { sendHtml } from '../../render.tsx';
import { listTrustSettings, type TrustSettings } from '../../../ingest/index.ts';
import { AdminPage, adminForm, attempt, auditAdminChange, formList, formText } from './admin-shell.tsx';
import { CheckboxGroup, OneTimeSecret, RowAction } from './fields.tsx';

// Users: the same functions `kerma user` uses (access/users.ts), so the page and the CLI cannot
// apply different rules. A new or reset password is generated and shown once, as the CLI prints it.

const page = PAGES.adminUsers;

interface UsersView {
  readonly users: readonly UserSummary[];
  readonly trusts: readonly TrustSettings[];
  readonly timeZone: string;
  readonly problem?: string | undefined;
  readonly secret?: { readonly userName: string; readonly password: string; readonly created: boolean } | undefined;
  /** What the create form held when it was refused, so the admin need not type it again. */
  readonly draft?: { readonly name: string; readonly roles: readonly string[]; readonly trusts: readonly string[] };
}

function userColumns(context: PageContext, timeZone: string): Column<UserSummary>[] {
  return [
    { header: 'User', cell: (u) => u.name },
    { header: 'Roles', cell: (u) => u.roles.join(', ') },
    { header: 'Trusts', cell: (u) => u.trusts.map((t) => t.code).join(', ') },
    { header: 'Status', cell: (u) => (u.disabled ? 'Disabled' : 'Active') },
    { header: 'Created', cell: (u) => formatDateTime(u.createdAt, timeZone) },
    { header: 'Password changed', cell: (u) => formatDateTime(u.passwordChangedAt, timeZone) },
    {
      header: 'Actions',
      // Their own account an admin changes on the Change password page; disabling it could leave
      // nobody able to administer Kerma.
      cell: (u) =>
        u.disabled || u.userId === context.user.userId ? (
          '—'
        ) : (
          <div class="row-actions">
            <RowAction
              action={`${page.path}/${encodeURIComponent(u.name)}/reset-password`}
              csrfToken={context.csrfToken}
              label="Reset password"
              accessibleName={`Reset password of ${u.name}`}
            />
            <RowAction
              action={`${page.path}/${encodeURIComponent(u.name)}/disable`}
              csrfToken={context.csrfToken}
              label="Disable"
              accessibleName={`Disable ${u.name}`}
            />
          </div>
        ),
    },
  ];
}

function UsersPage(props: { context: PageContext; view: UsersView }) {
  const { view, context } = props;
  return (
    <AdminPage context={context} page={page} problem={view.problem}>
      {view.secret ? (
        <OneTimeSecret label={`Password of ${view.secret.userName}`} secret={view.secret.password}>
          {view.secret.created
            ? `User ${view.secret.userName} created. Give them this password; they should change it when they first sign in.`
            : `The password of ${view.secret.userName} has been reset and their sessions have ended.`}
        </OneTimeSecret>
      ) : null}
      <div class="admin-columns">
        <section aria-labelledby="users-heading">
          <h2 id="users-heading">Accounts</h2>
          <Table
            caption="Everyone who can sign in, with their roles and trusts"
            columns={userColumns(context, view.timeZone)}
            rows={view.users}
            rowKey={(u) => u.name}
            empty={{ title: 'No users yet', hint: 'Create the first one with the form.' }}
          />
        </section>
        <section aria-labelledby="new-user-heading">
          <h2 id="new-user-heading">New user</h2>
          <form method="post" action={page.path} class="stacked-form">
            <input type="hidden" name="_csrf" value={context.csrfToken} />
            <FormField
              label="User name"
              name="name"
              autocomplete="off"
              required
              value={view.draft?.name}
              hint="Lower case letters, digits, '.', '_', '@' or '-'."
            />
            <CheckboxGroup
              legend="Roles"
              name="roles"
              choices={ROLES.map((r) => ({ value: r, label: r }))}
              checked={view.draft?.roles}
            />
            <CheckboxGroup
              legend="Trusts"
              name="trusts"
              hint="Patient-level data is shown only for these trusts."
              choices={view.trusts.map((t) => ({ value: t.code, label: `${t.code}: ${t.name}` }))}
              checked={view.draft?.trusts}
            />
            <button type="submit" class="primary">
              Create user
            </button>
          </form>
        </section>
      </div>
    </AdminPage>
  );
}

async function render(
  deps: DashboardDependencies,
  context: PageContext,
  extra: Partial<UsersView> = {},
): Promise<ReturnType<typeof UsersPage>> {
  const [users, trusts] = await Promise.all([listUsers(deps.db), listTrustSettings(deps.db)]);
  return <UsersPage context={context} view={{ users, trusts, timeZone: deps.timeZone, ...extra }} />;
}

async function namedUser(deps: DashboardDependencies, name: unknown): Promise<UserSummary> {
  const user = typeof name === 'string' ? await findUser(deps.db, name) : undefined;
  if (!user) throw new NotFoundError('No such user');
  return user;
}

export function adminUserRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    sendHtml(res, await render(deps, pageContext(req)));
  });

  router.post(page.path, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const draft = {
      name: formText(req.body, 'name'),
      roles: formList(req.body, 'roles'),
      trusts: formList(req.body, 'trusts'),
    };
    const password = generatePassword();
    const created = await attempt(() =>
      createUser(deps.db, { name: draft.name, roles: draft.roles, trustCodes: draft.trusts, password }),
    );
    if (!created.ok) {
      return sendHtml(res, await render(deps, context, { problem: created.message, draft }), created.status);
    }
    const user = created.value;
    await auditAdminChange(deps, req, {
      action: 'user.add',
      subjectKind: 'user',
      subjectKey: user.name,
      detail: { after: { roles: user.roles, trustCodes: user.trusts.map((t) => t.code), disabled: false } },
    });
    sendHtml(res, await render(deps, context, { secret: { userName: user.name, password, created: true } }));
  });

  router.post(`${page.path}/:name/disable`, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const user = await namedUser(deps, req.params.name);
    if (user.userId === context.user.userId) {
      return sendHtml(res, await render(deps, context, { problem: 'You cannot disable your own account.' }), 400);
    }
    await disableUser(deps.db, user.name);
    await auditAdminChange(deps, req, {
      action: 'user.disable',
      subjectKind: 'user',
      subjectKey: user.name,
      detail: { before: { disabled: user.disabled }, after: { disabled: true } },
    });
    sendHtml(res, await render(deps, context));
  });

  router.post(`${page.path}/:name/reset-password`, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const user = await namedUser(deps, req.params.name);
    if (user.userId === context.user.userId) {
      // Resetting ends every session of the account, this one too: the Change password page keeps it.
      const problem = 'Change your own password on the Change password page.';
      return sendHtml(res, await render(deps, context, { problem }), 400);
    }
    const password = generatePassword();
    await setPassword(deps.db, user.userId, password);
    await auditAdminChange(deps, req, { action: 'user.reset-password', subjectKind: 'user', subjectKey: user.name });
    sendHtml(res, await render(deps, context, { secret: { userName: user.name, password, created: false } }));
  });
}
