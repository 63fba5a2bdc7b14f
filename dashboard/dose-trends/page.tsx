import type { Request, Response, Router } from 'express';
import { requireUser, userOf } from '../../access/index.ts';
import {
  doseTrends,
  PERIODS,
  QUANTITY_LABELS,
  standardProcedureOptions,
  stepChanges,
  TREND_PARAMETERS_SCHEMA,
  TREND_QUANTITIES,
  type StepChange,
  type TrendParameters,
  type TrendSeries,
} from '../../analytics/index.ts';
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
import { createStudyBrowser, type DeviceOption } from '../studies/index.ts';
import { STEP_CHANGES_API_PATH, STEP_METHOD, TRENDS_API_PATH } from './api.ts';
import { seriesLabel, TrendChart } from './charts.tsx';
import { groupByOf, ownParser, parseAnalyticsRequest } from './request.ts';

const page = PAGES.doseTrends;
/**
 * Charts drawn on one page: enough for every CT room of a trust for one procedure; a wider question
 * is narrowed with the filters (or read whole through the API / CSV), not scrolled through.
 */
export const MAX_CHARTS = 24;

const parseTrend = ownParser<TrendParameters>(TREND_PARAMETERS_SCHEMA);

const MODALITIES = ['CT', 'DX', 'CR', 'MG', 'RF', 'XA', 'NM', 'PT'] as const;
const GROUPINGS = [
  ['room,standardProcedure', 'Room and standard procedure'],
  ['standardProcedure', 'Standard procedure (all rooms)'],
  ['trust,standardProcedure', 'Trust and standard procedure'],
  ['room', 'Room (all procedures)'],
  ['trust', 'Trust (all procedures)'],
] as const;

interface FormValues {
  readonly [name: string]: string | undefined;
}

function Select(props: {
  name: string;
  label: string;
  value: string | undefined;
  options: readonly (readonly [string, string])[];
  all?: string;
}) {
  const id = `trend-${props.name}`;
  return (
    <div class="filter">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        {props.all ? <option value="">{props.all}</option> : null}
        {props.options.map(([value, label]) => (
          <option key={value} value={value} selected={value === props.value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function DateInput(props: { name: string; label: string; value: string | undefined }) {
  const id = `trend-${props.name}`;
  return (
    <div class="filter">
      <label for={id}>{props.label}</label>
      <input id={id} name={props.name} type="date" value={props.value ?? ''} />
    </div>
  );
}

function TrendFilters(props: {
  values: FormValues;
  trusts: readonly { code: string; name: string }[];
  devices: readonly DeviceOption[];
  procedures: ReadonlyArray<{ code: string; name: string; modality: string }>;
}) {
  const v = props.values;
  return (
    <form class="filters" method="get" action={page.path} role="search" aria-label="Trend filters">
      <div class="filter-row">
        <DateInput name="from" label="From date" value={v.from} />
        <DateInput name="to" label="To date (included)" value={v.to} />
        <Select
          name="quantity"
          label="Dose quantity"
          value={v.quantity}
          options={TREND_QUANTITIES.map((q) => [q, `${QUANTITY_LABELS[q].name} (${QUANTITY_LABELS[q].unit})`] as const)}
        />
        <Select
          name="period"
          label="Period"
          value={v.period}
          options={PERIODS.map((p) => [p, p === 'week' ? 'Weekly' : 'Monthly'] as const)}
        />
        <Select name="groupBy" label="One chart per" value={v.groupBy} options={GROUPINGS} />
      </div>
      <div class="filter-row">
        <Select
          name="trust"
          label="Trust"
          value={v.trust}
          all="All my trusts"
          options={props.trusts.map((t) => [t.code, `${t.code} · ${t.name}`] as const)}
        />
        <Select
          name="device"
          label="Room / device"
          value={v.device}
          all="All rooms"
          options={props.devices.map((d) => [String(d.deviceId), `${d.trustCode} · ${d.label}`] as const)}
        />
        <Select
          name="modality"
          label="Modality"
          value={v.modality}
          all="All modalities"
          options={MODALITIES.map((m) => [m, m] as const)}
        />
        <Select
          name="standardProcedure"
          label="Standard procedure"
          value={v.standardProcedure}
          all="All procedures"
          options={props.procedures.map((p) => [p.code, `${p.modality} · ${p.name}`] as const)}
        />
        <div class="filter-actions">
          <button type="submit" class="primary">
            Show trends
          </button>
          <a href={page.path}>Clear</a>
        </div>
      </div>
    </form>
  );
}

function changeColumns(): Column<StepChange>[] {
  return [
    { header: 'Series', cell: (c) => seriesLabel(c) },
    { header: 'From', cell: (c) => <span class="nowrap">{c.changeDate}</span> },
    { header: 'Median before', numeric: true, cell: (c) => c.medianBefore.toPrecision(3) },
    { header: 'Median after', numeric: true, cell: (c) => c.medianAfter.toPrecision(3) },
    { header: 'Ratio', unit: 'after / before', numeric: true, cell: (c) => `×${c.ratio.toFixed(2)}` },
    { header: 'What happened', cell: (c) => c.explanation },
  ];
}

function StepChanges(props: { changes: readonly StepChange[] }) {
  return (
    <section class="panel" aria-labelledby="step-changes">
      <h2 id="step-changes">Step changes</h2>
      <p class="muted">
        Found by the {STEP_METHOD.name}: a change is reported when p &lt; {STEP_METHOD.alpha}, the medians on either
        side differ by at least ×{STEP_METHOD.minRatio} and each side has {STEP_METHOD.minSegmentDays} or more days with
        exams.
      </p>
      <Table
        caption="Step changes in each series' dose over the period, earliest first per series"
        columns={changeColumns()}
        rows={props.changes}
        rowKey={(c) => `${seriesLabel(c)} ${c.changeDate}`}
        empty={{ title: 'No step change in these series over this period.' }}
      />
    </section>
  );
}

interface TrendView {
  readonly values: FormValues;
  readonly apiQuery: string;
  readonly series: readonly TrendSeries[];
  readonly changes: readonly StepChange[];
  readonly quantity: TrendParameters['quantity'];
  readonly problem: string | undefined;
}

function Charts(props: { view: TrendView }) {
  const { series, changes, quantity } = props.view;
  if (series.length === 0)
    return (
      <EmptyState title="No exams with this dose quantity match these filters.">
        Widen the dates or clear a filter.
      </EmptyState>
    );
  const shown = series.slice(0, MAX_CHARTS);
  return (
    <section aria-labelledby="trend-charts">
      <div class="results-bar">
        <h2 id="trend-charts">{QUANTITY_LABELS[quantity].name}: median and interquartile range</h2>
        <span>
          <a href={`${TRENDS_API_PATH}?${props.view.apiQuery}&format=csv`} download>
            Download CSV
          </a>{' '}
          · <a href={`${STEP_CHANGES_API_PATH}?${props.view.apiQuery}&format=csv`}>Step changes CSV</a>
        </span>
      </div>
      {series.length > shown.length ? (
        <p class="notice" role="status">
          Showing {shown.length} of {series.length} series; narrow the filters (a room, a procedure) to see the others,
          or download the CSV.
        </p>
      ) : null}
      {shown.map((s, i) => (
        <TrendChart key={i} index={i} series={s} changes={changes} quantity={quantity} />
      ))}
    </section>
  );
}

function DoseTrendsPage(props: {
  context: PageContext;
  view: TrendView;
  devices: readonly DeviceOption[];
  procedures: ReadonlyArray<{ code: string; name: string; modality: string }>;
}) {
  return (
    <Page context={props.context} title={page.title} scripts={props.view.series.length > 0 ? CHART_SCRIPTS : undefined}>
      <p class="muted">
        Weekly or monthly median dose with its interquartile range, per room, standard procedure or trust, with the
        national DRL where the standard procedure has one, and step changes marked and explained. Only your trusts’
        exams; QA and phantom exposures left out.
      </p>
      <TrendFilters
        values={props.view.values}
        trusts={props.context.user.trusts}
        devices={props.devices}
        procedures={props.procedures}
      />
      {props.view.problem ? (
        <ErrorState title="These filters cannot be used">{props.view.problem}</ErrorState>
      ) : (
        <>
          <StepChanges changes={props.view.changes} />
          <Charts view={props.view} />
        </>
      )}
    </Page>
  );
}

/** The form's values as typed (strings), to write back into it. */
function formValues(query: unknown): FormValues {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

export function doseTrendsPageRoutes(router: Router, deps: DashboardDependencies): void {
  const browser = createStudyBrowser({ db: deps.db, timeZone: deps.timeZone });
  router.get(page.path, requireUser(page.roles), async (req: Request, res: Response) => {
    const context = pageContext(req);
    const trustIds = userOf(req)!.trusts.map((t) => t.trustId);
    const values = formValues(req.query);
    const [devices, procedures] = await Promise.all([browser.devices({ trustIds }), standardProcedureOptions(deps.db)]);
    const render = (view: TrendView, status = 200) =>
      sendHtml(res, <DoseTrendsPage context={context} view={view} devices={devices} procedures={procedures} />, status);
    let request;
    try {
      request = parseAnalyticsRequest(req.query, parseTrend, { trustIds, timeZone: deps.timeZone });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const view = {
        values,
        apiQuery: '',
        series: [],
        changes: [],
        quantity: 'dlp_mgycm' as const,
        problem: error.message,
      };
      return render(view, 400);
    }
    const { quantity, period } = request.own;
    const groupBy = groupByOf(request.own.groupBy);
    const [series, changes] = await Promise.all([
      doseTrends(deps.db, request.selection, { quantity, period, groupBy }),
      stepChanges(deps.db, request.selection, { quantity, groupBy }),
    ]);
    const apiQuery = new URLSearchParams({
      ...values,
      from: request.selection.fromDate,
      to: request.selection.toDate,
    }).toString();
    render({
      values: { ...values, from: request.selection.fromDate, to: request.selection.toDate },
      apiQuery,
      series,
      changes,
      quantity,
      problem: undefined,
    });
  });
}
