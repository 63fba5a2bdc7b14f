import express, { type Router } from 'express';
import { requireCsrf, requireUser, type SignedInUser } from '../../access/index.ts';
import { KermaError } from '../../core/index.ts';
import {
  CSV_COLUMNS,
  MISSING_REFERENCE_TABLES,
  importReferenceSet,
  listReferenceSets,
  parseReferenceSetCsv,
  parseReferenceSetJson,
  type ReferenceSetSummary,
} from '../../reference-levels/index.ts';
import { ErrorState, Table, Page, type Column, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { REFERENCE_IMPORTERS, REFERENCE_SET_BODY_LIMIT_BYTES, importerOfUser } from './api.ts';
import { day, kindLabel, loadedText, setPath, SourceLink } from './view.tsx';

/**
 * The Reference levels page: every loaded set in its current edition and the editions it replaced,
 * the tables the reference data could not confirm (so an absent table is never mistaken for a
 * passed check), and, for physicists and administrators, a box to import a set as JSON or CSV.
 */
const page = PAGES.referenceLevels;

const canImport = (user: SignedInUser): boolean => user.roles.some((r) => REFERENCE_IMPORTERS.includes(r));

function currentColumns(timeZone: string): Column<ReferenceSetSummary>[] {
  return [
    {
      header: 'Set',
      cell: (s) => (
        <>
          <a href={setPath(s.referenceSetId)}>{s.title}</a>
          <span class="sub">
            {s.setKey}
            {s.trustCode ? ` · ${s.trustCode}` : ''}
          </span>
        </>
      ),
    },
    { header: 'Kind', cell: kindLabel },
    { header: 'Publisher', cell: (s) => s.publisher },
    { header: 'Edition', cell: (s) => s.edition },
    { header: 'Effective from', cell: (s) => day(s.effectiveFrom) },
    {
      header: 'Figures',
      numeric: true,
      cell: (s) => (
        <>
          {s.valueCount.toLocaleString('en-GB')}
          {s.secondaryCount > 0 ? (
            <span class="sub">
              <span class="flag-secondary">{s.secondaryCount} S: verify against primary</span>
            </span>
          ) : null}
        </>
      ),
    },
    { header: 'Source', cell: (s) => <SourceLink set={s} /> },
    { header: 'Loaded', cell: (s) => loadedText(s, timeZone) },
  ];
}

function supersededColumns(
  timeZone: string,
  byId: ReadonlyMap<number, ReferenceSetSummary>,
): Column<ReferenceSetSummary>[] {
  return [
    {
      header: 'Set',
      cell: (s) => (
        <>
          <a href={setPath(s.referenceSetId)}>{s.title}</a>
          <span class="sub">{s.setKey}</span>
        </>
      ),
    },
    { header: 'Edition', cell: (s) => s.edition },
    {
      header: 'Superseded by',
      cell: (s) => {
        const next = s.supersededBy === null ? undefined : byId.get(s.supersededBy);
        return next ? <a href={setPath(next.referenceSetId)}>edition {next.edition}</a> : '—';
      },
    },
    { header: 'Superseded', cell: (s) => (s.supersededAt ? formatDateTime(s.supersededAt, timeZone) : '—') },
    { header: 'Loaded', cell: (s) => loadedText(s, timeZone) },
  ];
}

function ImportForm(props: { context: PageContext; draft?: string | undefined; problem?: string | undefined }) {
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import a set</h2>
      <p>
        Paste a set as JSON (the reference set schema) or as CSV with the columns <code>{CSV_COLUMNS.join(', ')}</code>:
        one row per figure, the set's columns filled on the first row. A set already loaded under the same set key is
        superseded by the new edition, never changed; the same edition twice is refused. See reference-levels/README.md
        for both layouts.
      </p>
      {props.problem ? <ErrorState title="The set was not imported">{props.problem}</ErrorState> : null}
      <form method="post" action={page.path} class="stacked-form wide">
        <input type="hidden" name="_csrf" value={props.context.csrfToken} />
        <div class="field">
          <label for="field-document">Reference set (JSON or CSV)</label>
          <p class="field-hint" id="field-document-hint">
            Figures only from the official document, with its status: C (confirmed in the primary text) or S (secondary:
            flagged "verify against primary").
          </p>
          <textarea
            id="field-document"
            name="document"
            rows={14}
            required
            spellcheck={false}
            aria-describedby="field-document-hint"
            aria-invalid={props.problem ? 'true' : undefined}
          >
            {props.draft ?? ''}
          </textarea>
        </div>
        <button type="submit" class="primary">
          Import set
        </button>
      </form>
    </section>
  );
}

interface View {
  readonly sets: readonly ReferenceSetSummary[];
  readonly timeZone: string;
  readonly draft?: string | undefined;
  readonly problem?: string | undefined;
}

function ReferenceLevelsPage(props: { context: PageContext; view: View }) {
  const { sets, timeZone } = props.view;
  const current = sets.filter((s) => s.current);
  const superseded = sets.filter((s) => !s.current);
  const byId = new Map(sets.map((s) => [s.referenceSetId, s]));
  return (
    <Page context={props.context} title={page.title}>
      <p class="muted">
        Versioned reference sets with their publisher, edition and source. Comparisons use the current edition of each
        set and record which one they used. Figures marked S come from secondary sources: verify them against the
        primary publication before relying on them.
      </p>
      <section aria-labelledby="current-heading">
        <h2 id="current-heading">Current editions</h2>
        <Table
          caption="Reference sets in their current edition"
          columns={currentColumns(timeZone)}
          rows={current}
          rowKey={(s) => String(s.referenceSetId)}
          empty={{ title: 'No reference sets are loaded.', hint: 'Kerma loads its builtin sets when it starts.' }}
        />
      </section>
      <section aria-labelledby="superseded-heading">
        <h2 id="superseded-heading">Superseded editions</h2>
        <Table
          caption="Editions replaced by a newer edition of the same set"
          columns={supersededColumns(timeZone, byId)}
          rows={superseded}
          rowKey={(s) => String(s.referenceSetId)}
          empty={{ title: 'No edition has been superseded yet.' }}
        />
      </section>
      <section aria-labelledby="missing-heading">
        <h2 id="missing-heading">Not available in the reference data</h2>
        <p>
          Kerma ships no figures for these tables: the reference data it was built from could not confirm them. Studies
          they would cover are not compared until a physicist imports the official table.
        </p>
        <ul class="missing-tables">
          {MISSING_REFERENCE_TABLES.map((table) => (
            <li key={table.what}>
              {table.what}
              <span class="sub">Published in: {table.where}</span>
            </li>
          ))}
        </ul>
      </section>
      {canImport(props.context.user) ? (
        <ImportForm context={props.context} draft={props.view.draft} problem={props.view.problem} />
      ) : null}
    </Page>
  );
}

/** JSON when the text is an object, CSV otherwise: a set document always starts with "{". */
function parsePasted(text: string) {
  const origin = 'pasted';
  return text.trimStart().startsWith('{')
    ? { document: parseReferenceSetJson(text, origin), format: 'json' as const }
    : { document: parseReferenceSetCsv(text, origin), format: 'csv' as const };
}

export function referenceLevelsPageRoutes(router: Router, deps: DashboardDependencies): void {
  const render = async (context: PageContext, extra: Partial<View> = {}) => (
    <ReferenceLevelsPage
      context={context}
      view={{ sets: await listReferenceSets(deps.db), timeZone: deps.timeZone, ...extra }}
    />
  );

  router.get(page.path, requireUser(page.roles), async (req, res) => {
    sendHtml(res, await render(pageContext(req)));
  });

  router.post(
    page.path,
    express.urlencoded({ extended: false, limit: REFERENCE_SET_BODY_LIMIT_BYTES }),
    requireUser(REFERENCE_IMPORTERS),
    requireCsrf,
    async (req, res) => {
      const context = pageContext(req);
      const body = req.body as Record<string, unknown> | undefined;
      const text = typeof body?.document === 'string' ? body.document : '';
      try {
        const { document, format } = parsePasted(text);
        const importer = importerOfUser(req, context.user);
        const result = await importReferenceSet(deps.transaction, document, importer, { format });
        res.redirect(303, `${setPath(result.set.referenceSetId)}?imported=1`);
      } catch (error) {
        // A set the physicist can fix comes back with its text and every problem; anything else is a fault.
        if (!(error instanceof KermaError) || error.httpStatus >= 500) throw error;
        sendHtml(res, await render(context, { draft: text, problem: error.message }), error.httpStatus);
      }
    },
  );
}
