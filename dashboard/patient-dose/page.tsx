import express, { type Request, type Response, type Router } from 'express';
import { addressOf, requestIdOf, requireCsrf, requireUser, userOf } from '../../access/index.ts';
import {
  PATIENT_DOSE_BODY_SCHEMA,
  patientDoseHistory,
  type DoseTotals,
  type PatientDoseBody,
  type PatientDoseHistory,
  type TimelineExam,
} from '../../analytics/index.ts';
import { FORM_BODY_LIMIT_BYTES } from '../../core/http-input.ts';
import { inputParser, ValidationError, type InputProblem } from '../../core/index.ts';
import {
  Chart,
  CHART_SCRIPTS,
  EmptyState,
  ErrorState,
  Page,
  Table,
  type Column,
  type PageContext,
} from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { identifierOf } from './api.ts';
import { patientChartConfig } from './chart.ts';

const page = PAGES.patientDose;
const parseBody = inputParser<PatientDoseBody>(PATIENT_DOSE_BODY_SCHEMA, 'body');

const number = (value: number | null, digits = 3) =>
  value === null ? '—' : Number(value.toPrecision(digits)).toLocaleString('en-GB');

function LookupForm(props: { context: PageContext; window: { from?: string; to?: string } }) {
  const trusts = props.context.user.trusts;
  return (
    <form method="post" action={page.path} class="filters" aria-label="Look up a patient" autocomplete="off">
      <input type="hidden" name="_csrf" value={props.context.csrfToken} />
      <div class="filter-row">
        <div class="filter">
          <label for="lookup-nhs">NHS number</label>
          <input id="lookup-nhs" name="nhsNumber" type="text" inputMode="numeric" maxLength={16} autocomplete="off" />
        </div>
        <fieldset class="lookup-local">
          <legend>or a local ID</legend>
          <div class="filter">
            <label for="lookup-trust">Trust</label>
            <select id="lookup-trust" name="localTrust">
              {trusts.map((t) => (
                <option key={t.code} value={t.code}>{`${t.code} · ${t.name}`}</option>
              ))}
            </select>
          </div>
          <div class="filter">
            <label for="lookup-issuer">Issuer (optional)</label>
            <input id="lookup-issuer" name="localIssuer" type="text" maxLength={64} autocomplete="off" />
          </div>
          <div class="filter">
            <label for="lookup-local">Local ID</label>
            <input id="lookup-local" name="localValue" type="text" maxLength={64} autocomplete="off" />
          </div>
        </fieldset>
        <div class="filter">
          <label for="lookup-from">Window from</label>
          <input id="lookup-from" name="from" type="date" value={props.window.from ?? ''} />
        </div>
        <div class="filter">
          <label for="lookup-to">Window to (included)</label>
          <input id="lookup-to" name="to" type="date" value={props.window.to ?? ''} />
        </div>
        <div class="filter-actions">
          <button type="submit" class="primary">
            Look up
          </button>
        </div>
      </div>
      <p class="field-hint">
        Give an NHS number, or a local ID with its trust. The window (default: the 12 months to today) sets the period
        of the window totals. Every look-up is recorded in the audit log; the identifier itself is not kept.
      </p>
    </form>
  );
}

function Totals(props: { title: string; totals: DoseTotals; note?: string }) {
  const t = props.totals;
  return (
    <div class="figure">
      <span class="figure-label">{props.title}</span>
      <span class="figure-value">{t.effectiveDoseMsv === null ? '—' : `${number(t.effectiveDoseMsv)} mSv`}</span>
      <span class="figure-label">
        effective dose over {t.exams} {t.exams === 1 ? 'exam' : 'exams'}
        {t.examsWithoutEffectiveDose > 0 ? ` (${t.examsWithoutEffectiveDose} without an estimate)` : ''}; {t.ctExams} CT
      </span>
      <span class="figure-label">
        fluoroscopy: {t.fluoroscopyExams} {t.fluoroscopyExams === 1 ? 'exam' : 'exams'}, Ka,r{' '}
        {number(t.fluoroscopyKarGy)} Gy, DAP {number(t.fluoroscopyDapGyCm2)} Gy·cm²
      </span>
      {props.note ? <span class="figure-label">{props.note}</span> : null}
    </div>
  );
}

function timelineColumns(timeZone: string): Column<TimelineExam>[] {
  return [
    {
      header: 'Date',
      cell: (e) =>
        e.studyDateTime ? <span class="nowrap">{formatDateTime(e.studyDateTime, timeZone)}</span> : 'unknown',
    },
    { header: 'Trust', cell: (e) => e.trustCode },
    { header: 'Room', cell: (e) => e.room ?? '—' },
    { header: 'Modality', cell: (e) => e.modality },
    {
      header: 'Exam',
      cell: (e) => <a href={`/studies/${e.studyId}`}>{e.standardProcedure?.name ?? e.studyDescription ?? 'Study'}</a>,
    },
    { header: 'Effective dose', unit: 'mSv', numeric: true, cell: (e) => number(e.effectiveDoseMsv) },
    { header: 'Cumulative', unit: 'mSv', numeric: true, cell: (e) => number(e.cumulativeEffectiveDoseMsv) },
    { header: 'DLP', unit: 'mGy·cm', numeric: true, cell: (e) => number(e.totalDlpMgyCm, 4) },
    { header: 'DAP', unit: 'Gy·cm²', numeric: true, cell: (e) => number(e.totalDapGyCm2) },
    { header: 'Ka,r', unit: 'Gy', numeric: true, cell: (e) => number(e.karGy) },
  ];
}

function Results(props: { history: PatientDoseHistory; timeZone: string }) {
  const { history } = props;
  if (!history.found || !history.summary)
    return (
      <EmptyState title="No exams of this patient in your trusts.">
        Check the identifier; a patient seen only at other trusts is not shown.
      </EmptyState>
    );
  const s = history.summary;
  const config = patientChartConfig(history.timeline, props.timeZone);
  return (
    <section aria-labelledby="patient-results">
      <h2 id="patient-results">Exams across {history.trusts.join(', ')}</h2>
      <div class="figures">
        <Totals title="Lifetime (as recorded)" totals={s.lifetime} />
        <Totals title={`12 months to ${s.rolling12Months.to}`} totals={s.rolling12Months} />
        <Totals title={`Window ${s.window.from} to ${s.window.to}`} totals={s.window} />
      </div>
      <h3>Running cumulative effective dose</h3>
      <Chart
        id="cumulative-dose"
        label="Effective dose of each exam and the running cumulative effective dose, in mSv"
        config={config}
      >
        Bars: each dated exam’s effective dose; line: the running sum. Exams without an estimate add nothing; the table
        below has every figure.
      </Chart>
      <Table
        caption="Timeline of exams, oldest first"
        columns={timelineColumns(props.timeZone)}
        rows={history.timeline}
        rowKey={(e) => String(e.studyId)}
        empty={{ title: 'No exams.' }}
      />
    </section>
  );
}

function PatientDosePage(props: {
  context: PageContext;
  timeZone: string;
  window: { from?: string; to?: string };
  history?: PatientDoseHistory | undefined;
  problem?: string | undefined;
}) {
  return (
    <Page context={props.context} title={page.title} scripts={props.history?.found ? CHART_SCRIPTS : undefined}>
      <p class="muted">
        One patient’s exams across the region’s trusts you may see, with the running cumulative effective dose
        (estimates: a population quantity, not a patient’s risk), CT count and fluoroscopy Ka,r and DAP.
      </p>
      <LookupForm context={props.context} window={props.window} />
      {props.problem ? <ErrorState title="This look-up cannot be made">{props.problem}</ErrorState> : null}
      {props.history ? <Results history={props.history} timeZone={props.timeZone} /> : null}
    </Page>
  );
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** The form's fields as the API's body: one identifier, and the window when given. */
function bodyOf(form: Record<string, unknown>): PatientDoseBody {
  const nhsNumber = text(form.nhsNumber);
  const localValue = text(form.localValue);
  if (nhsNumber && localValue) throw new ValidationError('Give an NHS number or a local ID, not both.');
  if (!nhsNumber && !localValue) throw new ValidationError('Give an NHS number or a local ID.');
  const window = { from: text(form.from), to: text(form.to) };
  return parseBody({
    ...(nhsNumber ? { nhsNumber } : {}),
    ...(localValue
      ? {
          localId: {
            trust: text(form.localTrust) ?? '',
            value: localValue,
            ...(text(form.localIssuer) ? { issuer: text(form.localIssuer) } : {}),
          },
        }
      : {}),
    ...(window.from || window.to ? { window: Object.fromEntries(Object.entries(window).filter(([, v]) => v)) } : {}),
  });
}

function problemText(error: ValidationError): string {
  const problems = (error.details?.problems ?? []) as InputProblem[];
  if (problems.some((p) => p.field.startsWith('nhsNumber')))
    return 'That is not a valid NHS number (10 digits, check digit).';
  return error.message;
}

export function patientDosePageRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), (req: Request, res: Response) => {
    sendHtml(res, <PatientDosePage context={pageContext(req)} timeZone={deps.timeZone} window={{}} />);
  });
  router.post(
    page.path,
    express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT_BYTES }),
    requireUser(page.roles),
    requireCsrf,
    async (req: Request, res: Response) => {
      const context = pageContext(req);
      const form = (req.body ?? {}) as Record<string, unknown>;
      const window = { from: text(form.from), to: text(form.to) };
      const user = userOf(req)!;
      try {
        const body = bodyOf(form);
        const history = await patientDoseHistory(
          { db: deps.db, patientIdSecret: deps.patientIdSecret, timeZone: deps.timeZone },
          {
            trustIds: user.trusts.map((t) => t.trustId),
            audit: {
              actorKind: 'user',
              actorId: user.userId,
              actorName: user.name,
              address: addressOf(req),
              requestId: requestIdOf(req),
            },
          },
          { identifier: identifierOf(body), window: body.window, via: 'page' },
        );
        sendHtml(res, <PatientDosePage context={context} timeZone={deps.timeZone} window={window} history={history} />);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        sendHtml(
          res,
          <PatientDosePage context={context} timeZone={deps.timeZone} window={window} problem={problemText(error)} />,
          400,
        );
      }
    },
  );
}
