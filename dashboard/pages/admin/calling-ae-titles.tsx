import type { Router } from 'express';
import { requireUser } from '../../../access/index.ts';
import {
  addCallingAeTitle,
  listCallingAeTitles,
  listTrustSettings,
  removeCallingAeTitle,
  type CallingAeTitle,
  type TrustSettings,
} from '../../../ingest/index.ts';
import { EmptyState, FormField, Table, type PageContext } from '../../components/index.ts';
import { pageContext, type DashboardDependencies } from '../../context.ts';
import { PAGES } from '../../pages.ts';
import { sendHtml } from '../../render.tsx';
import { AdminPage, adminForm, attempt, auditAdminChange, formText } from './admin-shell.tsx';
import { RowAction, SelectField } from './fields.tsx';

// Which trust a DICOM association belongs to, by its calling AE title (the modality's or PACS's own
// name). The listener accepts only listed callers, files their objects under the trust's identity
// rules, and picks up a change here without a restart.

const page = PAGES.adminCallingAeTitles;

interface CallersView {
  readonly titles: readonly CallingAeTitle[];
  readonly trusts: readonly TrustSettings[];
  readonly problem?: string | undefined;
  readonly done?: string | undefined;
  readonly draft?: { readonly aeTitle: string; readonly trustCode: string };
}

function CallersPage(props: { context: PageContext; view: CallersView }) {
  const { view, context } = props;
  return (
    <AdminPage context={context} page={page} problem={view.problem}>
      {view.done ? (
        <p class="notice" role="status">
          {view.done}
        </p>
      ) : null}
      <div class="admin-columns">
        <section aria-labelledby="callers-heading">
          <h2 id="callers-heading">Accepted callers</h2>
          {view.titles.length === 0 ? (
            <EmptyState title="No calling AE titles: the DICOM listener accepts every caller">
              Their objects are filed under the DEFAULT trust. Add each modality's or PACS's AE title to map it to its
              trust and refuse unknown callers.
            </EmptyState>
          ) : (
            <Table
              caption="Calling AE titles the DICOM listener accepts, and the trust each sends for"
              rows={view.titles}
              rowKey={(t) => t.aeTitle}
              empty={{ title: '' }}
              columns={[
                { header: 'Calling AE title', cell: (t) => <code>{t.aeTitle}</code> },
                { header: 'Trust', cell: (t) => `${t.trustCode}: ${t.trustName}` },
                {
                  header: 'Actions',
                  cell: (t) => (
                    <RowAction
                      action={`${page.path}/${encodeURIComponent(t.aeTitle)}/remove`}
                      csrfToken={context.csrfToken}
                      label="Remove"
                      accessibleName={`Remove the calling AE title ${t.aeTitle}`}
                    />
                  ),
                },
              ]}
            />
          )}
        </section>
        <section aria-labelledby="new-caller-heading">
          <h2 id="new-caller-heading">Add a caller</h2>
          <form method="post" action={page.path} class="stacked-form">
            <input type="hidden" name="_csrf" value={context.csrfToken} />
            <FormField
              label="Calling AE title"
              name="aeTitle"
              autocomplete="off"
              required
              value={view.draft?.aeTitle}
              hint="As configured on the modality or PACS: up to 16 characters."
            />
            <SelectField
              label="Trust"
              name="trustCode"
              selected={view.draft?.trustCode}
              choices={view.trusts.map((t) => ({ value: t.code, label: `${t.code}: ${t.name}` }))}
            />
            <button type="submit" class="primary">
              Add caller
            </button>
          </form>
        </section>
      </div>
    </AdminPage>
  );
}

async function render(deps: DashboardDependencies, context: PageContext, extra: Partial<CallersView> = {}) {
  const [titles, trusts] = await Promise.all([listCallingAeTitles(deps.db), listTrustSettings(deps.db)]);
  return <CallersPage context={context} view={{ titles, trusts, ...extra }} />;
}

export function adminCallingAeRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    sendHtml(res, await render(deps, pageContext(req)));
  });

  router.post(page.path, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const draft = { aeTitle: formText(req.body, 'aeTitle'), trustCode: formText(req.body, 'trustCode') };
    const added = await attempt(() => addCallingAeTitle(deps.db, draft.aeTitle, draft.trustCode));
    if (!added.ok) return sendHtml(res, await render(deps, context, { problem: added.message, draft }), added.status);
    await auditAdminChange(deps, req, {
      action: 'dicom-caller.add',
      subjectKind: 'config',
      subjectKey: `calling-ae:${added.value}`,
      trustCode: draft.trustCode,
      detail: { before: null, after: { aeTitle: added.value, trustCode: draft.trustCode } },
    });
    await deps.callingAeTitlesChanged?.();
    sendHtml(res, await render(deps, context, { done: `${added.value} now sends for ${draft.trustCode}.` }));
  });

  router.post(`${page.path}/:aeTitle/remove`, ...adminForm(page), async (req, res) => {
    const context = pageContext(req);
    const aeTitle = String(req.params.aeTitle);
    const removed = await attempt(() => removeCallingAeTitle(deps.db, aeTitle));
    if (!removed.ok) return sendHtml(res, await render(deps, context, { problem: removed.message }), removed.status);
    await auditAdminChange(deps, req, {
      action: 'dicom-caller.remove',
      subjectKind: 'config',
      subjectKey: `calling-ae:${aeTitle.trim()}`,
      trustCode: removed.value,
      detail: { before: { aeTitle: aeTitle.trim(), trustCode: removed.value }, after: null },
    });
    await deps.callingAeTitlesChanged?.();
    sendHtml(res, await render(deps, context, { done: `${aeTitle.trim()} removed: the listener refuses it now.` }));
  });
}
