import type { Router } from 'express';
import { requireUser } from '../../access/index.ts';
import {
  arrivalCounts,
  latestArrivals,
  openQuarantineCount,
  type ArrivalCount,
  type LatestArrival,
} from '../../ingest/index.ts';
import { Page, Table, type Column, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';

const page = PAGES.overview;
/** Enough to see that reports are flowing, few enough to fit a 1366x768 screen beside the counts. */
const LATEST_ARRIVALS = 12;

interface OverviewData {
  readonly counts: readonly ArrivalCount[];
  readonly quarantined: number;
  readonly latest: readonly LatestArrival[];
}

const countColumns: Column<ArrivalCount>[] = [
  { header: 'Trust', cell: (r) => <abbr title={r.trustName}>{r.trustCode}</abbr> },
  { header: 'Modality', cell: (r) => r.modality },
  { header: 'Today', unit: 'reports', numeric: true, cell: (r) => r.today.toLocaleString('en-GB') },
  { header: 'This week', unit: 'reports', numeric: true, cell: (r) => r.thisWeek.toLocaleString('en-GB') },
];

function latestColumns(timeZone: string): Column<LatestArrival>[] {
  return [
    { header: 'Received', cell: (r) => formatDateTime(r.receivedAt, timeZone) },
    { header: 'Trust', cell: (r) => r.trustCode },
    { header: 'Modality', cell: (r) => r.modality },
    { header: 'Room', cell: (r) => r.stationName ?? '—' },
    { header: 'Study description', cell: (r) => r.studyDescription ?? '—' },
    { header: 'Study time', cell: (r) => (r.studyTime ? formatDateTime(r.studyTime, timeZone) : '—') },
  ];
}

function Figure(props: { label: string; value: number; tone?: 'warn' }) {
  return (
    <div class={props.tone === 'warn' && props.value > 0 ? 'figure figure-warn' : 'figure'}>
      <span class="figure-value">{props.value.toLocaleString('en-GB')}</span>
      <span class="figure-label">{props.label}</span>
    </div>
  );
}

function OverviewPage(props: { context: PageContext; data: OverviewData; timeZone: string }) {
  const { counts, quarantined, latest } = props.data;
  const sum = (pick: (c: ArrivalCount) => number) => counts.reduce((total, c) => total + pick(c), 0);
  return (
    <Page context={props.context} title={page.title}>
      <section class="figures" aria-label="Dose reports received">
        <Figure label="dose reports today" value={sum((c) => c.today)} />
        <Figure label="dose reports this week" value={sum((c) => c.thisWeek)} />
        <Figure label="objects in quarantine" value={quarantined} tone="warn" />
      </section>
      <div class="columns">
        <section aria-labelledby="by-trust">
          <h2 id="by-trust">Received by trust and modality</h2>
          <Table
            caption="Dose reports received today and since Monday, all trusts of the consortium"
            columns={countColumns}
            rows={counts}
            rowKey={(r) => `${r.trustCode}/${r.modality}`}
            empty={{ title: 'No dose reports this week.', hint: 'Reports appear here as modalities send them.' }}
          />
        </section>
        <section aria-labelledby="latest">
          <h2 id="latest">Latest arrivals in your trusts</h2>
          <Table
            caption={`The ${LATEST_ARRIVALS} most recent studies received for ${props.context.user.trusts.map((t) => t.code).join(', ')}`}
            columns={latestColumns(props.timeZone)}
            rows={latest}
            rowKey={(r) => r.studyInstanceUid}
            empty={{ title: 'Nothing received yet for your trusts.' }}
          />
        </section>
      </div>
    </Page>
  );
}

export function overviewRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const context = pageContext(req);
    const trustIds = context.user.trusts.map((t) => t.trustId);
    const [counts, quarantined, latest] = await Promise.all([
      arrivalCounts(deps.db, deps.timeZone),
      openQuarantineCount(deps.db),
      latestArrivals(deps.db, trustIds, LATEST_ARRIVALS),
    ]);
    sendHtml(res, <OverviewPage context={context} data={{ counts, quarantined, latest }} timeZone={deps.timeZone} />);
  });
}
