import type { Router } from 'express';
import { requireUser } from '../../../access/index.ts';
import { listTrustSettings, type TrustSettings } from '../../../ingest/index.ts';
import { Table } from '../../components/index.ts';
import { pageContext, type DashboardDependencies } from '../../context.ts';
import { PAGES } from '../../pages.ts';
import { sendHtml } from '../../render.tsx';
import { AdminPage } from './admin-shell.tsx';

// Trusts as configured. They come from KERMA_TRUSTS_FILE (identity rules and time zones are part of
// how objects are read, so they change with a reviewed file and a restart, not a click); the page
// shows what is in force. Their calling AE titles are edited on the next tab.

const page = PAGES.adminTrusts;

const NHS_NUMBER_SOURCES: Readonly<Record<TrustSettings['nhsNumberSource'], string>> = {
  none: 'Not read',
  patient_id: 'Patient ID',
  other_patient_ids: 'Other Patient IDs',
};

export function adminTrustRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const trusts = await listTrustSettings(deps.db);
    sendHtml(
      res,
      <AdminPage context={pageContext(req)} page={page}>
        <p class="muted">
          Trusts, their identity rules and time zones come from the trusts file (KERMA_TRUSTS_FILE) and change with it
          at the next start. A trust without a time zone uses the deployment's, {deps.timeZone}.
        </p>
        <Table
          caption="Trusts of the consortium"
          rows={trusts}
          rowKey={(t) => t.code}
          empty={{ title: 'No trusts configured', hint: 'Add them to the trusts file and restart Kerma.' }}
          columns={[
            { header: 'Code', cell: (t) => t.code },
            { header: 'Name', cell: (t) => t.name },
            { header: 'Time zone', cell: (t) => t.timeZone ?? `— (${deps.timeZone})` },
            { header: 'NHS number from', cell: (t) => NHS_NUMBER_SOURCES[t.nhsNumberSource] },
            {
              header: 'Calling AE titles',
              cell: (t) => (t.callingAeTitles.length ? t.callingAeTitles.join(', ') : '—'),
            },
          ]}
        />
      </AdminPage>,
    );
  });
}
