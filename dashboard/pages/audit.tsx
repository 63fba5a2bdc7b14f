import type { Router } from 'express';
import { ValidationError } from '../../core/index.ts';
import {
  AUDIT_CSV_PATH,
  auditScopeOf,
  filterOf,
  listAudit,
  parseAuditQuery,
  recordAuditRead,
  requireUser,
  type AuditFilter,
  type AuditPage,
  type AuditRecord,
} from '../../access/index.ts';
import { ErrorState, Page, Table, type Column, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';

const page = PAGES.audit;
/** One screen's worth at 1366x768 with the filters above; older entries are a click away. */
const PAGE_SIZE = 50;
/** Details are small JSON objects; beyond this the cell would push the table off the screen. */
const DETAIL_CHARS = 80;

const ACTOR_KINDS = ['user', 'api-key', 'system', 'anonymous'] as const;

/** Audit times to the second, in the region's time zone: "05 Dec 2026, 14:03:27". */
function formatLoggedAt(isoUtc: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(isoUtc));
}

/** The query string of a filter (and a cursor), for the next-page and CSV links. */
function queryString(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...(filter as Record<string, string>), ...extra });
  const text = params.toString();
  return text ? `?${text}` : '';
}

function columns(timeZone: string): Column<AuditRecord>[] {
  const detail = (r: AuditRecord): string => (Object.keys(r.detail).length > 0 ? JSON.stringify(r.detail) : '');
  return [
    {
      header: 'Time',
      cell: (r) => (
        <time class="nowrap" dateTime={r.loggedAt}>
          {formatLoggedAt(r.loggedAt, timeZone)}
        </time>
      ),
    },
    {
      header: 'Actor',
      cell: (r) => (
        <>
          {r.actorName ?? '—'} <span class="muted">({r.actorKind})</span>
        </>
      ),
    },
    { header: 'Action', cell: (r) => <code class="nowrap">{r.action}</code> },
    { header: 'Trust', cell: (r) => r.trustCode ?? '—' },
    {
      header: 'Subject',
      cell: (r) => (r.subjectKey ? `${r.subjectKind ?? ''} ${r.subjectKey}`.trim() : '—'),
    },
    { header: 'Address', cell: (r) => r.address ?? '—' },
    { header: 'Request id', cell: (r) => (r.requestId ? <code class="request-id">{r.requestId}</code> : '—') },
    {
      header: 'Detail',
      cell: (r) => {
        const text = detail(r);
        return text.length > DETAIL_CHARS ? <span title={text}>{`${text.slice(0, DETAIL_CHARS)}…`}</span> : text;
      },
    },
  ];
}

function TextInput(props: { name: keyof AuditFilter; label: string; type?: 'text' | 'date'; value?: string }) {
  const id = `audit-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.type === 'date' ? (
        <input type="date" id={id} name={props.name} value={props.value} />
      ) : (
        <input type="text" id={id} name={props.name} value={props.value} autocomplete="off" />
      )}
    </div>
  );
}

function FilterForm(props: { filter: AuditFilter }) {
  const f = props.filter;
  return (
    <form
      method="get"
      action={page.path}
      class="filter-form"
      aria-label="Filter the audit log"
      aria-describedby="audit-filter-hint"
    >
      <TextInput name="from" label="From" type="date" value={f.from} />
      <TextInput name="to" label="To (included)" type="date" value={f.to} />
      <TextInput name="actor" label="Actor" value={f.actor} />
      <div class="field">
        <label for="audit-actorKind">Actor kind</label>
        <select id="audit-actorKind" name="actorKind">
          <option value="">Any</option>
          {ACTOR_KINDS.map((kind) => (
            <option key={kind} value={kind} selected={f.actorKind === kind}>
              {kind}
            </option>
          ))}
        </select>
      </div>
      <TextInput name="action" label="Action" value={f.action} />
      <TextInput name="trust" label="Trust" value={f.trust} />
      <TextInput name="subject" label="Subject" value={f.subject} />
      <TextInput name="requestId" label="Request id" value={f.requestId} />
      <div class="filter-actions">
        <button type="submit" class="primary">
          Filter
        </button>
        <a href={page.path}>Clear filters</a>
      </div>
      <p class="field-hint filter-hint" id="audit-filter-hint">
        Actor: a user or API key name. Action: a kind covers its family (sign-in finds sign-in.success and
        sign-in.failure). Subject: a study instance UID or a user name. Days are in the region’s time zone.
      </p>
    </form>
  );
}

interface AuditView {
  readonly filter: AuditFilter;
  readonly before: number | undefined;
  readonly result: AuditPage | undefined;
  readonly problem: string | undefined;
}

function Results(props: { view: AuditView; timeZone: string }) {
  const { filter, before, result } = props.view;
  if (!result) return null;
  return (
    <section aria-labelledby="audit-entries">
      <div class="results-bar">
        <h2 id="audit-entries">Entries, newest first</h2>
        <a class="button-link" href={`${AUDIT_CSV_PATH}${queryString(filter)}`} download>
          Download CSV (all matching entries)
        </a>
      </div>
      <Table
        caption={`${result.items.length} ${result.items.length === 1 ? 'entry' : 'entries'}${before ? ' older than the previous page' : ''}; times in ${props.timeZone}`}
        columns={columns(props.timeZone)}
        rows={result.items}
        rowKey={(r) => String(r.auditId)}
        empty={{ title: 'No audit entries match these filters.', hint: 'Widen the dates or clear a filter.' }}
      />
      <nav class="pager" aria-label="Audit log pages">
        {before ? <a href={`${page.path}${queryString(filter)}`}>Newest entries</a> : null}
        {result.next !== null ? (
          <a href={`${page.path}${queryString(filter, { before: String(result.next) })}`} rel="next">
            Older entries
          </a>
        ) : null}
      </nav>
    </section>
  );
}

function AuditLogPage(props: { context: PageContext; view: AuditView; timeZone: string }) {
  return (
    <Page context={props.context} title={page.title}>
      <p class="muted">
        Every sign-in, view of patient-level data, export and change, with who, when, from where and which request.
        Subjects are keys, never a patient’s identifiers. Looking here is recorded too.
      </p>
      <FilterForm filter={props.view.filter} />
      {props.view.problem ? <ErrorState title="These filters cannot be used">{props.view.problem}</ErrorState> : null}
      <Results view={props.view} timeZone={props.timeZone} />
    </Page>
  );
}

/** The raw filter values to write back into the form when they were refused. */
function rawFilter(query: unknown): AuditFilter {
  const raw = (query ?? {}) as Record<string, unknown>;
  const keep = Object.entries(raw).filter(([, v]) => typeof v === 'string' && v !== '');
  return filterOf(Object.fromEntries(keep));
}

export function auditRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const context = pageContext(req);
    let query;
    try {
      query = parseAuditQuery({ ...(req.query as Record<string, unknown>), limit: String(PAGE_SIZE) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const view = { filter: rawFilter(req.query), before: undefined, result: undefined, problem: error.message };
      return sendHtml(res, <AuditLogPage context={context} view={view} timeZone={deps.timeZone} />, 400);
    }
    const filter = filterOf(query);
    await recordAuditRead(deps.db, req, 'audit.view', { filter, before: query.before, via: 'page' });
    const result = await listAudit(deps.db, auditScopeOf(context.user), query, deps.timeZone);
    const view = { filter, before: query.before, result, problem: undefined };
    sendHtml(res, <AuditLogPage context={context} view={view} timeZone={deps.timeZone} />);
  });
}
