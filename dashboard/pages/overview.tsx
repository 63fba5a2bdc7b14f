import type { Router } from 'express';
import { requireUser } from '../../access/index.ts';
import {
  arrivalCounts,
  latestArrivals,
  openQuarantineCount,
  silentRooms,
  type ArrivalCount,
  type LatestArrival,
  type SilentRoom,
} from '../../ingest/index.ts';
import {
  examsAboveNationalDrlThisWeek,
  roomsAboveNationalDrl,
  type RoomAboveNationalDrl,
} from '../../analytics/index.ts';
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
  /** Rooms of the user's trusts that sent nothing for `silentDays` days (KERMA_SILENT_ROOM_DAYS). */
  readonly silent: readonly SilentRoom[];
  readonly silentDays: number;
  /** Room medians of the user's trusts above the national DRL in the latest local DRL run, if any run. */
  readonly aboveDrl: { periodFrom: string; periodTo: string; rooms: readonly RoomAboveNationalDrl[] } | undefined;
  /** Exams of the user's trusts since Monday with a value above a national DRL. */
  readonly examsAboveDrlThisWeek: number;
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

function silentColumns(timeZone: string): Column<SilentRoom>[] {
  return [
    { header: 'Room', cell: (r) => r.roomName ?? r.stationName ?? `device ${r.deviceId}` },
    { header: 'Trust', cell: (r) => r.trustCode },
    { header: 'Last object', cell: (r) => formatDateTime(r.lastSeenAt, timeZone) },
    { header: 'Silent for', unit: 'days', numeric: true, cell: (r) => r.daysSilent.toLocaleString('en-GB') },
  ];
}

function SilentRooms(props: { data: OverviewData; timeZone: string; trusts: string }) {
  const { silent, silentDays } = props.data;
  return (
    <section class="panel" aria-labelledby="silent">
      <h2 id="silent">Rooms that sent nothing for {silentDays} days or more</h2>
      <Table
        caption={`Rooms of ${props.trusts} whose last object arrived ${silentDays} or more days ago, longest silent first`}
        columns={silentColumns(props.timeZone)}
        rows={silent}
        rowKey={(r) => String(r.deviceId)}
        empty={{ title: `Every room of ${props.trusts} has sent something in the last ${silentDays} days.` }}
      />
    </section>
  );
}

const QUANTITY: Record<RoomAboveNationalDrl['quantity'], string> = {
  ctdivol_mgy: 'CTDIvol per sequence (mGy)',
  dlp_mgycm: 'DLP per exam (mGy·cm)',
  dap_gycm2: 'DAP per exam (Gy·cm²)',
};

const aboveDrlColumns: Column<RoomAboveNationalDrl>[] = [
  { header: 'Room', cell: (r) => `${r.room} · ${r.trustCode ?? '—'}` },
  { header: 'Standard procedure', cell: (r) => r.procedureName },
  { header: 'Quantity', cell: (r) => QUANTITY[r.quantity] },
  { header: 'Room median', numeric: true, cell: (r) => r.median.toLocaleString('en-GB', { maximumFractionDigits: 1 }) },
  { header: 'National DRL', numeric: true, cell: (r) => r.nationalLevel.toLocaleString('en-GB') },
  { header: 'n', numeric: true, cell: (r) => r.sampleSize.toLocaleString('en-GB') },
];

function RoomsAboveDrl(props: { data: OverviewData; trusts: string; canOpenCompliance: boolean }) {
  const above = props.data.aboveDrl;
  return (
    <section class="panel" aria-labelledby="above-drl">
      <h2 id="above-drl">Rooms above the national DRL</h2>
      {above ? (
        <Table
          caption={`Room medians of ${props.trusts} above the national DRL, ${above.periodFrom} to ${above.periodTo} (latest local DRL run)`}
          columns={aboveDrlColumns}
          rows={above.rooms}
          rowKey={(r) => `${r.deviceId}/${r.procedureName}/${r.quantity}`}
          empty={{ title: `No room median of ${props.trusts} is above its national DRL.` }}
        />
      ) : (
        <p>
          No local DRL run yet: <code>kerma drl compute</code> computes the room medians (nightly once scheduled).
        </p>
      )}
      {props.canOpenCompliance ? (
        <p>
          <a href={PAGES.drlCompliance.path}>DRL compliance by room and procedure</a>
        </p>
      ) : null}
    </section>
  );
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
        <Figure label={`rooms silent ${props.data.silentDays}+ days`} value={props.data.silent.length} tone="warn" />
        <Figure
          label="rooms above the national DRL"
          value={new Set(props.data.aboveDrl?.rooms.map((r) => r.deviceId)).size}
          tone="warn"
        />
        <Figure label="exams above a national DRL this week" value={props.data.examsAboveDrlThisWeek} tone="warn" />
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
      <SilentRooms
        data={props.data}
        timeZone={props.timeZone}
        trusts={props.context.user.trusts.map((t) => t.code).join(', ')}
      />
      <RoomsAboveDrl
        data={props.data}
        trusts={props.context.user.trusts.map((t) => t.code).join(', ')}
        canOpenCompliance={props.context.user.roles.some((r) =>
          (PAGES.drlCompliance.roles as readonly string[]).includes(r),
        )}
      />
    </Page>
  );
}

export function overviewRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const context = pageContext(req);
    const trustIds = context.user.trusts.map((t) => t.trustId);
    const trustCodes = context.user.trusts.map((t) => t.code);
    const [counts, quarantined, latest, silent, aboveDrl, examsAboveDrlThisWeek] = await Promise.all([
      arrivalCounts(deps.db, deps.timeZone),
      openQuarantineCount(deps.db),
      latestArrivals(deps.db, trustIds, LATEST_ARRIVALS),
      silentRooms(deps.db, trustCodes, deps.silentRoomDays),
      roomsAboveNationalDrl(deps.db, trustIds),
      examsAboveNationalDrlThisWeek(deps.db, trustIds, deps.timeZone),
    ]);
    const data = {
      counts,
      quarantined,
      latest,
      silent,
      silentDays: deps.silentRoomDays,
      aboveDrl,
      examsAboveDrlThisWeek,
    };
    sendHtml(res, <OverviewPage context={context} data={data} timeZone={deps.timeZone} />);
  });
}
