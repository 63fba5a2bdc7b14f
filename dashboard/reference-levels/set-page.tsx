import type { Router } from 'express';
import { requireUser } from '../../access/index.ts';
import {
  referenceSetDetail,
  type ReferenceSetDetail,
  type ReferenceSetSummary,
  type StoredReferenceValue,
} from '../../reference-levels/index.ts';
import { Page, Table, type Column, type PageContext } from '../components/index.ts';
import { pageContext, type DashboardDependencies } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { PAGES } from '../pages.ts';
import { sendHtml } from '../render.tsx';
import { REFERENCE_SETS_API_PATH, referenceSetIdParam } from './api.ts';
import { day, kindLabel, loadedText, quantityLabel, setPath, SourceLink, StatusFlag, withUnit } from './view.tsx';

/** One edition of a reference set: what it is, where it came from, its place in the edition chain, its figures. */
const page = PAGES.referenceSet;

const dash = (text: string | null): string => text ?? '—';

/** Attributes as short "name: value" pairs (the source's own wording: examination, technique, basis…). */
function attributeText(attributes: Readonly<Record<string, unknown>>): string {
  return Object.entries(attributes)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

const valueColumns: Column<StoredReferenceValue>[] = [
  { header: 'Figure', cell: (v) => v.valueKey },
  { header: 'Modality', cell: (v) => dash(v.modality) },
  { header: 'DRL category', cell: (v) => dash(v.drlCategory) },
  { header: 'Body region', cell: (v) => dash(v.bodyRegion) },
  { header: 'Age band', cell: (v) => dash(v.ageBand) },
  { header: 'Quantity', cell: (v) => quantityLabel(v.quantity) },
  { header: 'Value', numeric: true, cell: (v) => <span class="nowrap">{withUnit(v.value, v.quantity)}</span> },
  { header: 'Status', cell: (v) => <StatusFlag status={v.status} /> },
  {
    header: 'Notes',
    cell: (v) => (
      <>
        {v.statusNote ?? ''}
        {Object.keys(v.attributes).length > 0 ? <span class="sub">{attributeText(v.attributes)}</span> : null}
      </>
    ),
  },
];

function editionColumns(detail: ReferenceSetDetail, timeZone: string): Column<ReferenceSetSummary>[] {
  const byId = new Map(detail.editions.map((e) => [e.referenceSetId, e]));
  return [
    {
      header: 'Edition',
      cell: (e) =>
        e.referenceSetId === detail.set.referenceSetId ? (
          <strong aria-current="page">{e.edition} (this page)</strong>
        ) : (
          <a href={setPath(e.referenceSetId)}>{e.edition}</a>
        ),
    },
    {
      header: 'State',
      cell: (e) => {
        if (e.current) return 'Current';
        const next = e.supersededBy === null ? undefined : byId.get(e.supersededBy);
        const when = e.supersededAt ? `, ${formatDateTime(e.supersededAt, timeZone)}` : '';
        return `Superseded by edition ${next?.edition ?? e.supersededBy}${when}`;
      },
    },
    { header: 'Effective from', cell: (e) => day(e.effectiveFrom) },
    { header: 'Figures', numeric: true, cell: (e) => e.valueCount.toLocaleString('en-GB') },
    { header: 'Loaded', cell: (e) => loadedText(e, timeZone) },
  ];
}

function Outcome(props: { detail: ReferenceSetDetail }) {
  const { set, editions } = props.detail;
  const replaced = editions.find((e) => e.supersededBy === set.referenceSetId);
  return (
    <p class="notice" role="status">
      Imported edition {set.edition} of {set.setKey} ({set.valueCount} {set.valueCount === 1 ? 'figure' : 'figures'}).
      {replaced ? ` It supersedes edition ${replaced.edition}.` : ' It is the first edition of this set.'}
    </p>
  );
}

function ReferenceSetPage(props: {
  context: PageContext;
  detail: ReferenceSetDetail;
  timeZone: string;
  imported: boolean;
}) {
  const { detail, timeZone } = props;
  const { set } = detail;
  const next = detail.editions.find((e) => e.referenceSetId === set.supersededBy);
  return (
    <Page context={props.context} title={set.title}>
      <p>
        <a href={PAGES.referenceLevels.path}>Back to reference levels</a>
      </p>
      {props.imported ? <Outcome detail={detail} /> : null}
      {next ? (
        <p class="badge-warn">
          This edition is superseded by <a href={setPath(next.referenceSetId)}>edition {next.edition}</a>; comparisons
          made with it keep pointing at its figures.
        </p>
      ) : null}
      <dl class="facts">
        <dt>Set key</dt>
        <dd>{set.setKey}</dd>
        <dt>Kind</dt>
        <dd>{kindLabel(set)}</dd>
        <dt>Publisher</dt>
        <dd>{set.publisher}</dd>
        <dt>Edition</dt>
        <dd>
          {set.edition}
          {set.current ? ' (current)' : ' (superseded)'}
        </dd>
        <dt>Effective from</dt>
        <dd>{day(set.effectiveFrom)}</dd>
        <dt>Source</dt>
        <dd>
          <SourceLink set={set} />
        </dd>
        <dt>Trust</dt>
        <dd>{set.trustCode ?? 'All trusts'}</dd>
        <dt>Loaded</dt>
        <dd>{loadedText(set, timeZone)}</dd>
      </dl>
      {detail.notes.length > 0 ? (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">Notes</h2>
          <ul>
            {detail.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="figures-heading">
        <h2 id="figures-heading">Figures</h2>
        <p>
          <a href={`${REFERENCE_SETS_API_PATH}/${set.referenceSetId}?format=csv`} download>
            Download CSV
          </a>{' '}
          <span class="muted">(the import layout: edit it and import it as a new edition)</span>
        </p>
        <Table
          caption={`Figures of ${set.setKey}, edition ${set.edition}`}
          columns={valueColumns}
          rows={detail.values}
          rowKey={(v) => String(v.referenceValueId)}
          empty={{ title: 'This edition has no figures.' }}
        />
      </section>
      <section aria-labelledby="editions-heading">
        <h2 id="editions-heading">Editions of this set</h2>
        <Table
          caption={`Every edition of ${set.setKey}, the current one first`}
          columns={editionColumns(detail, timeZone)}
          rows={detail.editions}
          rowKey={(e) => String(e.referenceSetId)}
          empty={{ title: 'No editions.' }}
        />
      </section>
    </Page>
  );
}

export function referenceSetPageRoutes(router: Router, deps: DashboardDependencies): void {
  router.get(page.path, requireUser(page.roles), async (req, res) => {
    const detail = await referenceSetDetail(deps.db, referenceSetIdParam(req.params.referenceSetId));
    sendHtml(
      res,
      <ReferenceSetPage
        context={pageContext(req)}
        detail={detail}
        timeZone={deps.timeZone}
        imported={req.query.imported === '1'}
      />,
    );
  });
}
