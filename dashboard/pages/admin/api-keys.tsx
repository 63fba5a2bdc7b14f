import type { Router } from 'express';
import {
  API_SCOPES,
  createApiKey,
  listApiKeys,
  requireUser,
  revokeApiKey,
  type ApiKeyInfo,
} from '../../../access/index.ts';
import { listTrustSettings, type TrustSettings } from '../../../ingest/index.ts';
import { FormField, Table, type Column, type PageContext } from '../../components/index.ts';
import { pageContext, type DashboardDependencies } from '../../context.ts';
import { formatDateTime } from '../../format.ts';
import { PAGES } from '../../pages.ts';
import { sendHtml } from '../../render.tsx';
import { AdminPage, adminForm, attempt, auditAdminChange, formList, formText } from './admin-shell.tsx';
import { CheckboxGroup, OneTimeSecret, RowAction, SelectField } from './fields.tsx';

// API keys of calling systems: the same store as `kerma apikey`. A new key is shown once.

const page = PAGES.adminApiKeys;
/** The binding choice that means "every trust"; trust codes are upper case, so it cannot clash. */
const CONSORTIUM = 'consortium';

const SCOPE_HINTS: Readonly<Record<(typeof API_SCOPES)[number], string>> = {
  ingest: 'ingest: send dose reports (STOW-RS)',
  orders: 'orders: send orders (HL7, REST)',
  'duplicate-check': 'duplicate-check: ask for prior exams',
  read: 'read: read studies and quarantine',
  'reference-data': 'reference-data: load reference sets (DRLs, factors)',
};

interface KeysView {
  readonly keys: readonly ApiKeyInfo[];
  readonly trusts: readonly TrustSettings[];
  readonly timeZone: string;
  readonly problem?: string | undefined;
  readonly created?: { readonly name: string; readonly key: string } | undefined;
  readonly draft?: { readonly name: string; readonly binding: string; readonly scopes: readonly string[] };
}

function keyColumns(context: PageContext, timeZone: string): Column<ApiKeyInfo>[] {
  return [
    { header: 'Name', cell: (k) => k.name },
    { header: 'Acts for', cell: (k) => (k.consortium ? 'Whole consortium' : (k.trustCode ?? '—')) },
    { header: 'Scopes', cell: (k) => k.scopes.join(', ') },
    { header: 'Created', cell: (k) => formatDateTime(k.createdAt, timeZone) },
    { header: 'Status', cell: (k) => (k.revokedAt ? `Revoked ${formatDateTime(k.revokedAt, timeZone)}` : 'Active') },
    {
      header: 'Actions',
      cell: (k) =>
        k.revokedAt ? (
          '—'
        ) : (
          <RowAction
            action={`${page.path}/${encodeURIComponent(k.name)}/revoke`}
            csrfToken={context.csrfToken}
            label="Revoke"
            accessibleName={`Revoke the key ${k.name}`}
          />
        ),
    },
  ];
}

function ApiKeysPage(props: { context: PageContext; view: KeysView }) {
  const { view, context } = props;
  return (
    <AdminPage context={context} page={page} problem={view.problem}>
      {view.created ? (
        <OneTimeSecret label={`API key ${view.created.name}`} secret={view.created.key}>
          Key {view.created.name} created. Put it in the calling system's configuration now.
        </OneTimeSecret>
      ) : null}
      <div class="admin-columns">
        <section aria-labelledby="keys-heading">
          <h2 id="keys-heading">Keys</h2>
          <Table
            caption="Keys of the systems that call Kerma's APIs (never the key itself)"
            columns={keyColumns(context, view.timeZone)}
            rows={view.keys}
            rowKey={(k) => k.name}
            empty={{ title: 'No API keys yet', hint: 'Create one for each sending or reading system.' }}
          />
        </section>
        <section aria-labelledby="new-key-heading">
          <h2 id="new-key-heading">New API key</h2>
          <form method="post" action={page.path} class="stacked-form">
            <input type="hidden" name="_csrf" value={context.csrfToken} />
            <FormField
              label="Key name"
              name="name"
              autocomplete="off"
              required
              value={view.draft?.name}
              hint="The calling system, e.g. rxh-pacs; recorded as the sender of what it stores."
            />
            <SelectField
              label="Acts for"
              name="binding"
              hint="A trust's key acts for that trust only."
              selected={view.draft?.binding}
              choices={[
                ...view.trusts.map((t) => ({ value: t.code, label: `${t.code}: ${t.name}` })),
                { value: CONSORTIUM, label: 'Whole consortium (regional integration engine)' },
              ]}
            />
            <CheckboxGroup
              legend="Scopes"
              name="scopes"
              choices={API_SCOPES.map((s) => ({ value: s, label: SCOPE_HINTS[s] }))}
              checked={view.draft?.scopes}
            />
            <button type="submit" class="primary">
              Create key
            </button>
          </form>
        </section>
      </div>
    </AdminPage>
  );
}

async function render(deps: DashboardDependencies, context: PageContext, extra: Partial<KeysView> = {}) {
  const [keys, trusts] = await Promise.all([listApiKeys(deps.db), listTrustSettings(deps.db)]);
  return <ApiKeysPage context={context} view={{ keys, trusts, timeZone: deps.timeZone, ...extra }} />;
}

export function adminApiKeyRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    sendHtml(res, await render(deps, pageContext(req)));
  });

  router.post(page.path, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const draft = {
      name: formText(req.body, 'name'),
      binding: formText(req.body, 'binding'),
      scopes: formList(req.body, 'scopes'),
    };
    const trustCode = draft.binding === CONSORTIUM ? null : draft.binding;
    const created = await attempt(() => createApiKey(deps.db, draft.name, trustCode, draft.scopes));
    if (!created.ok) {
      return sendHtml(res, await render(deps, context, { problem: created.message, draft }), created.status);
    }
    await auditAdminChange(deps, req, {
      action: 'api-key.create',
      subjectKind: 'api-key',
      subjectKey: draft.name,
      trustCode: trustCode ?? undefined,
      detail: {
        after: {
          trustCode,
          consortium: trustCode === null,
          scopes: API_SCOPES.filter((s) => draft.scopes.includes(s)),
        },
      },
    });
    sendHtml(res, await render(deps, context, { created: { name: draft.name, key: created.value } }));
  });

  router.post(`${page.path}/:name/revoke`, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const name = String(req.params.name);
    const revoked = await attempt(() => revokeApiKey(deps.db, name));
    if (!revoked.ok) return sendHtml(res, await render(deps, context, { problem: revoked.message }), revoked.status);
    await auditAdminChange(deps, req, {
      action: 'api-key.revoke',
      subjectKind: 'api-key',
      subjectKey: name,
      trustCode: revoked.value.trustCode ?? undefined,
      detail: { before: { revokedAt: revoked.value.revokedAt }, after: { revoked: true } },
    });
    sendHtml(res, await render(deps, context));
  });
}
