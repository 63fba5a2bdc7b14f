import type { Request, Router } from 'express';
import { requireUser } from '../../access/index.ts';
import { ValidationError } from '../../core/index.ts';
import {
  CHART_SCRIPTS,
  EmptyState,
  ErrorState,
  Page,
  Table,
  type Column,
  type PageContext,
} from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { studyActorOf } from '../studies/index.ts';
import { RoomBoxPlot } from './box-plot.tsx';
import { DRL_COMPLIANCE_API_PATH } from './operations.ts';
import { parseComplianceQuery, type ComplianceParams, type SortKey } from './query.ts';
import { formatFigure, QUANTITY_LABELS, rowsOf, sortRows, type ComplianceRow } from './rows.ts';
import { complianceReport, type ComplianceReport } from './service.ts';

const page = PAGES.drlCompliance;

/** The request's own query string without some parameters (for sort links, plot choice, CSV). */
function queryWithout(req: Request, drop: readonly string[], add: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (drop.includes(key)) continue;
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === 'string' && v !== '') params.append(key, v);
  }
  for (const [key, value] of Object.entries(add)) params.set(key, value);
  return params.toString();
}

function SortHeader(props: { req: Request; params: ComplianceParams; sortKey: SortKey; label: string }) {
  const current = props.params.sort;
  const active = current.key === props.sortKey;
  const next = active && current.direction === 'asc' ? 'desc' : 'asc';
  const href = `${page.path}?${queryWithout(props.req, ['sort', 'dir'], { sort: props.sortKey, dir: next })}`;
  return (
    <a href={href} aria-label={`Sort by ${props.label}${active ? ` (now ${current.direction}ending)` : ''}`}>
      {props.label}
      {active ? (current.direction === 'asc' ? ' ▲' : ' ▼') : ''}
    </a>
  );
}

function columns(params: ComplianceParams): Column<ComplianceRow>[] {
  return [
    { header: 'Standard procedure', cell: (r) => r.procedureName },
    { header: 'Quantity', cell: (r) => `${QUANTITY_LABELS[r.quantity]} (${r.unit})` },
    { header: 'Room', cell: (r) => `${r.room.room} · ${r.room.trustCode}` },
    { header: 'n', numeric: true, cell: (r) => r.room.sampleSize.toLocaleString('en-GB') },
    { header: 'Median', numeric: true, cell: (r) => formatFigure(r.room.median) },
    { header: 'National DRL', numeric: true, cell: (r) => formatFigure(r.nationalDrl?.value) },
    { header: 'Ratio to national', numeric: true, cell: (r) => formatFigure(r.room.ratioToNational) },
    { header: 'Local DRL', numeric: true, cell: (r) => formatFigure(r.room.localDrl?.value) },
    {
      header: 'Finding',
      cell: (r) =>
        r.room.finding ? (
          <strong class="finding">Above national DRL</strong>
        ) : r.room.meetsMinimumSample ? (
          'No'
        ) : (
          `Sample below ${params.minSample}`
        ),
    },
    {
      header: 'Studies',
      cell: (r) => (
        <a
          href={r.room.studiesUrl}
          aria-label={`${r.room.studies.toLocaleString('en-GB')} studies behind the median of ${r.room.room}, ${r.procedureName}`}
        >
          {r.room.studies.toLocaleString('en-GB')} studies
        </a>
      ),
    },
  ];
}

/** Sort links: the shared Table takes text headers, so the links sit above it. */
function SortLinks(props: { req: Request; params: ComplianceParams }) {
  const keys: Array<[SortKey, string]> = [
    ['procedure', 'procedure'],
    ['room', 'room'],
    ['n', 'sample size'],
    ['median', 'median'],
    ['ratio', 'ratio to the national DRL'],
  ];
  return (
    <p class="sort-links">
      Sort by:{' '}
      {keys.map(([key, label], i) => (
        <span key={key}>
          {i > 0 ? ' · ' : ''}
          <SortHeader req={props.req} params={props.params} sortKey={key} label={label} />
        </span>
      ))}
    </p>
  );
}

function FilterForm(props: { params: ComplianceParams; context: PageContext; plot: string | undefined }) {
  const f = props.params.filters;
  const band = props.params.weightBand;
  const bandText = band.minKg === null && band.maxKg === null ? 'none' : `${band.minKg ?? 0}-${band.maxKg ?? 999}`;
  return (
    <form class="filters" method="get" action={page.path} aria-label="DRL compliance period and filters">
      <div class="filter-row">
        <div class="filter">
          <label for="drl-from">From date</label>
          <input id="drl-from" name="from" type="date" value={f.fromDate} />
        </div>
        <div class="filter">
          <label for="drl-to">To date</label>
          <input id="drl-to" name="to" type="date" value={f.toDate} />
        </div>
        <div class="filter">
          <label for="drl-trust">Trust</label>
          <select id="drl-trust" name="trust">
            <option value="">All my trusts</option>
            {props.context.user.trusts.map((t) => (
              <option key={t.code} value={t.code} selected={t.code === f.trust}>
                {t.code} · {t.name}
              </option>
            ))}
          </select>
        </div>
        <div class="filter">
          <label for="drl-modality">Modality</label>
          <select id="drl-modality" name="modality">
            <option value="">All modalities</option>
            {['CT', 'DX', 'CR', 'RF', 'XA', 'MG'].map((m) => (
              <option key={m} value={m} selected={f.modalities?.[0] === m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div class="filter">
          <label for="drl-band">Typical patients (kg, MIN-MAX or none)</label>
          <input id="drl-band" name="weightBand" type="text" maxLength={40} value={bandText} />
        </div>
        <div class="filter">
          <label for="drl-min">Minimum sample per room</label>
          <input id="drl-min" name="minSample" type="number" min="1" step="1" value={props.params.minSample} />
        </div>
      </div>
      {props.plot ? <input type="hidden" name="plot" value={props.plot} /> : null}
      <div class="filter-actions">
        <button type="submit" class="primary">
          Show
        </button>
      </div>
    </form>
  );
}

/** Exam-level quantities first: DLP and DAP per exam are what a DRL review reads first. */
const PLOT_PREFERENCE = ['dlp_mgycm', 'dap_gycm2', 'ctdivol_mgy'];

/** The procedure and quantity the box plot shows: the one asked for, else the first with a national DRL. */
function plotted(report: ComplianceReport, params: ComplianceParams) {
  const all = report.procedures.flatMap((procedure) =>
    [...procedure.quantities]
      .sort((a, b) => PLOT_PREFERENCE.indexOf(a.quantity) - PLOT_PREFERENCE.indexOf(b.quantity))
      .map((quantity) => ({ procedure, quantity })),
  );
  const asked = params.plot;
  const wanted = all.find(
    (x) => asked && x.procedure.standardProcedureCode === asked.procedure && x.quantity.quantity === asked.quantity,
  );
  return wanted ?? all.find((x) => x.quantity.nationalDrl !== null) ?? all[0];
}

function PlotChooser(props: { req: Request; report: ComplianceReport; selected: string }) {
  return (
    <form method="get" action={page.path} class="inline-form" aria-label="Box plot">
      {[...new URLSearchParams(queryWithout(props.req, ['plot']))].map(([name, value], i) => (
        <input key={`${name}${i}`} type="hidden" name={name} value={value} />
      ))}
      <label for="drl-plot">Box plot of</label>{' '}
      <select id="drl-plot" name="plot">
        {props.report.procedures.flatMap((p) =>
          p.quantities.map((q) => {
            const value = `${p.standardProcedureCode}/${q.quantity}`;
            return (
              <option key={value} value={value} selected={value === props.selected}>
                {p.name} · {QUANTITY_LABELS[q.quantity]}
              </option>
            );
          }),
        )}
      </select>{' '}
      <button type="submit">Show plot</button>
    </form>
  );
}

function DrlCompliancePage(props: {
  context: PageContext;
  req: Request;
  params: ComplianceParams;
  report: ComplianceReport;
}) {
  const { report, params, req } = props;
  const rows = sortRows(rowsOf(report), params.sort.key, params.sort.direction);
  const chosen = plotted(report, params);
  const selected = chosen ? `${chosen.procedure.standardProcedureCode}/${chosen.quantity.quantity}` : undefined;
  const findings = rows.filter((r) => r.room.finding).length;
  const band = report.weightBand;
  return (
    <Page context={props.context} title={page.title} scripts={CHART_SCRIPTS}>
      <FilterForm params={params} context={props.context} plot={params.plot ? selected : undefined} />
      <p class="lede">
        Rooms of {props.context.user.trusts.map((t) => t.code).join(', ')}, {report.period.from} to {report.period.to}
        {band.minKg !== null || band.maxKg !== null
          ? `, patients of ${band.minKg ?? 0}–${band.maxKg ?? '∞'} kg or of unrecorded weight`
          : ', every patient'}
        . A room whose median exceeds the national DRL on at least {report.minSample} values is a finding.{' '}
        <a href={`${DRL_COMPLIANCE_API_PATH}?${queryWithout(req, ['plot', 'sort', 'dir'], { format: 'csv' })}`}>
          Download CSV
        </a>
      </p>
      <section class="figures" aria-label="Findings">
        <div class={findings > 0 ? 'figure figure-warn' : 'figure'}>
          <span class="figure-value">{findings}</span>
          <span class="figure-label">room medians above the national DRL</span>
        </div>
      </section>
      {chosen && selected ? (
        <section aria-labelledby="box-plot-heading">
          <h2 id="box-plot-heading">Distribution per room</h2>
          <PlotChooser req={req} report={report} selected={selected} />
          <RoomBoxPlot procedure={chosen.procedure} quantity={chosen.quantity} />
        </section>
      ) : null}
      <section aria-labelledby="rooms-heading">
        <h2 id="rooms-heading">Room medians</h2>
        <SortLinks req={req} params={params} />
        <Table
          caption="Each room's median per standard procedure and DRL quantity, against the national and local DRL"
          columns={columns(params)}
          rows={rows}
          rowKey={(r) => r.key}
          empty={{
            title: 'No mapped studies with a DRL category in this period.',
            hint: 'Studies are compared once they are mapped to a standard procedure (Procedure mapping).',
          }}
        />
      </section>
    </Page>
  );
}

export function drlCompliancePageRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const context = pageContext(req);
    const actor = studyActorOf(req)!;
    let params: ComplianceParams;
    try {
      params = parseComplianceQuery(req.query, deps.timeZone);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return sendHtml(
        res,
        <Page context={context} title={page.title}>
          <ErrorState title="These filters cannot be used">{error.message}.</ErrorState>
          <EmptyState title="Correct the field and try again." />
        </Page>,
        400,
      );
    }
    const report = await complianceReport(
      deps.db,
      { trustIds: actor.scope.trustIds, audit: actor.audit },
      params,
      deps.timeZone,
      'page',
    );
    sendHtml(res, <DrlCompliancePage context={context} req={req} params={params} report={report} />);
  });
}
