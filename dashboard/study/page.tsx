import type { ComponentChildren } from 'preact';
import { EmptyState, Page, Table, type Column, type PageContext } from '../components/index.ts';
import { formatDateTime } from '../format.ts';
import {
  CT_COLUMNS,
  DOSE_CHECK_COLUMNS,
  PROJECTION_COLUMNS,
  RADIOPHARMACEUTICAL_COLUMNS,
  tableColumns,
  type EventColumn,
  type IndexedEvent,
} from './event-columns.tsx';
import { at, num, text } from './format.ts';
import { SourcesSection } from './sources.tsx';
import type { EventKind, ProjectionTotalsRow, StudyDetail, StudyHeader, StudyTotals } from './types.ts';
import type { StudyDoseMetrics } from '../../analytics/index.ts';
import { StudyDoseMetricsSection } from '../drl-compliance/study-metrics.tsx';

/** The study page: who and where, the totals, every irradiation event, and where the data came from. */
export interface StudyPageProps {
  readonly context: PageContext;
  readonly detail: StudyDetail;
  readonly timeZone: string;
  /** Effective dose, SSDE and DRL comparisons (analytics/dose-metrics); undefined until computed. */
  readonly metrics?: StudyDoseMetrics | undefined;
}

export function StudyPage(props: StudyPageProps) {
  const { study, totals } = props.detail;
  const title = `${study.modality} study${study.studyDescription ? `: ${study.studyDescription}` : ''}`;
  return (
    <Page context={props.context} title={title}>
      <HeaderSection study={study} timeZone={props.timeZone} />
      <TotalsSection totals={totals} rows={props.detail.projectionTotals} />
      <StudyDoseMetricsSection metrics={props.metrics} />
      <EventsSection detail={props.detail} timeZone={props.timeZone} />
      <SourcesSection detail={props.detail} timeZone={props.timeZone} />
    </Page>
  );
}

function Item(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

const TIME_BASIS: Readonly<Record<NonNullable<StudyHeader['timeBasis']>, string>> = {
  'object-offset': 'the offset the object states',
  'trust-zone': "the trust's time zone",
  'default-zone': "Kerma's default time zone",
};

function timeBasis(study: StudyHeader): string {
  if (!study.timeBasis) return 'how the device time was read is not recorded';
  return `device time read in ${TIME_BASIS[study.timeBasis]} (${study.timeZone ?? '—'})`;
}

const SEX: Readonly<Record<string, string>> = { F: 'Female', M: 'Male', O: 'Other' };

function age(years: number | null): string {
  if (years === null) return '—';
  return years >= 2 ? `${Math.floor(years)} years` : `${Math.floor(years * 12)} months`;
}

function device(study: StudyHeader): string {
  const d = study.device;
  if (!d) return '—';
  const parts = [d.manufacturer, d.modelName].filter(Boolean).join(' ');
  return (
    [
      parts || null,
      d.stationName ? `station ${d.stationName}` : null,
      d.serialNumber ? `serial ${d.serialNumber}` : null,
    ]
      .filter(Boolean)
      .join(' · ') || '—'
  );
}

function HeaderSection(props: { study: StudyHeader; timeZone: string }) {
  const s = props.study;
  return (
    <section class="panel" aria-labelledby="study-facts">
      <h2 id="study-facts">Study</h2>
      {s.notPatient ? (
        <p class="badge-warn">Matches the QA, phantom or test patterns: left out of patient dose statistics.</p>
      ) : null}
      <dl class="facts">
        <Item label="Trust">
          <abbr title={s.trust.name}>{s.trust.code}</abbr> {s.trust.name}
        </Item>
        <Item label="Room">{text(s.device?.roomName ?? s.device?.stationName)}</Item>
        <Item label="Device">{device(s)}</Item>
        <Item label="Institution">
          {text([s.device?.institutionName, s.device?.departmentName].filter(Boolean).join(' · '))}
        </Item>
        <Item label="Study time">
          {s.studyTime ? formatDateTime(s.studyTime, props.timeZone) : '—'}
          <span class="fact-note">{timeBasis(s)}</span>
        </Item>
        <Item label="Modalities">{s.modalities.join(', ') || s.modality}</Item>
        <Item label="Description">{text(s.studyDescription)}</Item>
        <Item label="Requested procedure">{text(s.requestedProcedure)}</Item>
        <Item label="Procedure code">{text(s.procedureCode)}</Item>
        <Item label="Patient">
          {age(s.patient.ageYears)} · {SEX[s.patient.sex ?? ''] ?? 'sex —'}
        </Item>
        <Item label="Weight (kg)">{num(s.patient.weightKg)}</Item>
        <Item label="Height (m)">{num(s.patient.heightM, 3)}</Item>
        <Item label="Accession number">{s.accessionRecorded ? 'recorded (hashed, not shown)' : 'not recorded'}</Item>
        <Item label="Study Instance UID">
          <code class="uid">{s.studyInstanceUid}</code>
        </Item>
      </dl>
    </section>
  );
}

const TOTALS: ReadonlyArray<readonly [string, (t: StudyTotals) => number | null]> = [
  ['DLP (mGy·cm)', (t) => t.dlpMgyCm],
  ['DAP (Gy·cm²)', (t) => t.dapGyCm2],
  ['DAP plane A (Gy·cm²)', (t) => t.dapPlaneAGyCm2],
  ['DAP plane B (Gy·cm²)', (t) => t.dapPlaneBGyCm2],
  ['Dose at RP, Ka,r (Gy)', (t) => t.doseRpGy],
  ['AGD (mGy)', (t) => t.agdMgy],
  ['AGD left (mGy)', (t) => t.agdLeftMgy],
  ['AGD right (mGy)', (t) => t.agdRightMgy],
  ['Activity (MBq)', (t) => t.activityMbq],
];

const projectionColumns: Column<ProjectionTotalsRow>[] = [
  { header: 'Part', cell: (r) => (r.kind === 'total' ? <strong>{r.label}</strong> : r.label) },
  { header: 'DAP', unit: 'Gy·cm²', numeric: true, cell: (r) => num(r.dapGyCm2) },
  { header: 'Dose at RP (Ka,r)', unit: 'Gy', numeric: true, cell: (r) => num(r.doseRpGy) },
  { header: 'Time', unit: 's', numeric: true, cell: (r) => num(r.timeS) },
];

function TotalsSection(props: { totals: StudyTotals; rows: readonly ProjectionTotalsRow[] | null }) {
  return (
    <section class="panel" aria-labelledby="study-totals">
      <h2 id="study-totals">Totals</h2>
      <dl class="facts facts-numbers">
        {TOTALS.map(([label, pick]) => (
          <Item key={label} label={label}>
            {num(pick(props.totals))}
          </Item>
        ))}
        <Item label="Irradiation events">{props.totals.eventCount.toLocaleString('en-GB')}</Item>
      </dl>
      {props.rows ? (
        <Table
          caption="Fluoroscopy and acquisition: the report's accumulated totals; acquisition types summed from their events"
          columns={projectionColumns}
          rows={props.rows}
          rowKey={(r) => r.label}
          empty={{ title: 'No fluoroscopy or acquisition totals.' }}
        />
      ) : null}
    </section>
  );
}

const KINDS: ReadonlyArray<{ kind: EventKind; title: string; columns: readonly EventColumn[] }> = [
  { kind: 'ct', title: 'CT acquisitions', columns: CT_COLUMNS },
  { kind: 'projection', title: 'Projection X-ray exposures', columns: PROJECTION_COLUMNS },
  { kind: 'radiopharmaceutical', title: 'Radiopharmaceutical administrations', columns: RADIOPHARMACEUTICAL_COLUMNS },
];

function EventsSection(props: { detail: StudyDetail; timeZone: string }) {
  const { detail } = props;
  const total = detail.eventCounts.ct + detail.eventCounts.projection + detail.eventCounts.radiopharmaceutical;
  return (
    <section class="panel" aria-labelledby="study-events">
      <h2 id="study-events">Irradiation events</h2>
      {total === 0 ? <EmptyState title="No irradiation events stored for this study." /> : null}
      {KINDS.filter((k) => detail.eventCounts[k.kind] > 0).map((k) => {
        const events = detail.events.filter((e) => e.kind === k.kind).map((event, i) => ({ n: i + 1, event }));
        return (
          <EventKindSection
            key={k.kind}
            kind={k.kind}
            title={k.title}
            columns={k.columns}
            events={events}
            count={detail.eventCounts[k.kind]}
            studyId={detail.study.studyId}
            timeZone={props.timeZone}
          />
        );
      })}
      <DoseCheckTable detail={detail} />
    </section>
  );
}

function EventKindSection(props: {
  kind: EventKind;
  title: string;
  columns: readonly EventColumn[];
  events: IndexedEvent[];
  count: number;
  studyId: number;
  timeZone: string;
}) {
  const id = `${props.kind}-events`;
  const partial = props.events.length < props.count;
  return (
    <div class="event-group" id={id}>
      <h3>
        {props.title} <span class="muted">({props.count.toLocaleString('en-GB')})</span>
      </h3>
      {partial ? (
        <p class="muted">
          Showing the first {props.events.length} of {props.count.toLocaleString('en-GB')}.{' '}
          <a href={`/studies/${props.studyId}?events=all#${id}`}>Show all {props.count.toLocaleString('en-GB')}</a>
        </p>
      ) : null}
      <Table
        caption={`${props.title}, in time order`}
        columns={tableColumns(props.columns, props.events, props.timeZone)}
        rows={props.events}
        rowKey={(x) => String(x.event.eventId)}
        empty={{ title: 'No events of this kind.' }}
      />
    </div>
  );
}

function DoseCheckTable(props: { detail: StudyDetail }) {
  const ct = props.detail.events.filter((e) => e.kind === 'ct').map((event, i) => ({ n: i + 1, event }));
  const checked = ct.filter((x) => at(x.event.details, 'doseCheck') !== undefined);
  if (checked.length === 0) return null;
  const columns: Column<IndexedEvent>[] = [
    {
      header: 'CT event',
      numeric: true,
      cell: (x) => <span id={`dose-check-${x.event.eventId}`}>{x.n}</span>,
    },
    ...DOSE_CHECK_COLUMNS.filter((c) => checked.some((x) => c.value(x.event) !== null)).map(
      (c): Column<IndexedEvent> => ({
        header: c.header,
        ...(c.unit ? { unit: c.unit } : {}),
        ...(c.numeric ? { numeric: true } : {}),
        cell: (x) => c.value(x.event) ?? '—',
      }),
    ),
  ];
  return (
    <div class="event-group" id="dose-check">
      <h3>CT Dose Check (NEMA XR 25)</h3>
      <Table
        caption="Dose Check alerts and notifications the scanner recorded, with who authorised proceeding and why"
        columns={columns}
        rows={checked}
        rowKey={(x) => String(x.event.eventId)}
        empty={{ title: 'No dose check details.' }}
      />
    </div>
  );
}
