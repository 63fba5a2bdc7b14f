import type { ComponentChildren } from 'preact';
import type { Column } from '../components/index.ts';
import { at, codeMeaning, fieldsOf, num, numberAt, spread, stringAt, timeOfDay } from './format.ts';
import type { StudyEvent } from './types.ts';

/**
 * The columns of each kind of irradiation event. A column whose every value is unknown in this
 * study is left out (a fluoroscopy study has no AGD, a radiograph no pulse rate), which keeps a
 * table of every field narrow enough for a laptop; the fields without a column of their own are
 * listed under "More" on each row, so nothing stored is hidden.
 */
export interface EventColumn {
  readonly header: string;
  readonly unit?: string;
  readonly numeric?: boolean;
  /** Details paths this column shows (left out of "More"). */
  readonly paths: readonly string[];
  readonly value: (e: StudyEvent) => ComponentChildren | null;
}

export interface IndexedEvent {
  readonly n: number;
  readonly event: StudyEvent;
}

const d = (e: StudyEvent) => e.details;

function filters(e: StudyEvent): ComponentChildren | null {
  const list = at(d(e), 'source.filters');
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.map((f, i) => {
    const material = codeMeaning(at(f, 'xrayFilterMaterial')) ?? 'filter';
    const [low, high] = [numberAt(f, 'xrayFilterThicknessMinimumMm'), numberAt(f, 'xrayFilterThicknessMaximumMm')];
    const thickness =
      low === null && high === null ? '' : low === high || high === null ? num(low) : `${num(low)}–${num(high)}`;
    return (
      <span class="filter" key={i}>
        {i > 0 ? '; ' : ''}
        {material} {thickness}
      </span>
    );
  });
}

/** The person who authorised proceeding past a dose check alert or notification, with their role. */
function authorisedBy(person: unknown): string | null {
  const name = stringAt(person, 'personName');
  const role = stringAt(person, 'personRoleInProcedure');
  if (!name && !role) return null;
  return [name, role ? `(${role})` : null].filter(Boolean).join(' ');
}

const yesNo = (v: unknown): string | null => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : null);

export const CT_COLUMNS: readonly EventColumn[] = [
  { header: 'Acquisition type', paths: ['ctAcquisitionType'], value: (e) => stringAt(d(e), 'ctAcquisitionType') },
  { header: 'Protocol', paths: ['acquisitionProtocol'], value: (e) => e.acquisitionProtocol },
  { header: 'Target region', paths: ['targetRegion'], value: (e) => e.targetRegion },
  { header: 'CTDIvol', unit: 'mGy', numeric: true, paths: ['ctdiVolMgy'], value: (e) => num(e.ctdiVolMgy) },
  { header: 'DLP', unit: 'mGy·cm', numeric: true, paths: ['dlpMgyCm'], value: (e) => num(e.dlpMgyCm) },
  {
    header: 'Scan length',
    unit: 'mm',
    numeric: true,
    paths: ['scanningLengthMm'],
    value: (e) => num(numberAt(d(e), 'scanningLengthMm')),
  },
  {
    header: 'kVp',
    unit: 'kV',
    numeric: true,
    paths: [],
    value: (e) => spread(xraySources(e).map((s) => numberAt(s, 'kvp'))),
  },
  {
    header: 'Tube current',
    unit: 'mA',
    numeric: true,
    paths: [],
    value: (e) => spread(xraySources(e).map((s) => numberAt(s, 'xrayTubeCurrentMa'))),
  },
  {
    header: 'Max tube current',
    unit: 'mA',
    numeric: true,
    paths: [],
    value: (e) => spread(xraySources(e).map((s) => numberAt(s, 'maximumXrayTubeCurrentMa'))),
  },
  {
    header: 'Exposure time',
    unit: 's',
    numeric: true,
    paths: ['exposureTimeS'],
    value: (e) => num(numberAt(d(e), 'exposureTimeS')),
  },
  {
    header: 'Rotation time',
    unit: 's',
    numeric: true,
    paths: [],
    value: (e) => spread(xraySources(e).map((s) => numberAt(s, 'exposureTimePerRotationS'))),
  },
  { header: 'Pitch', numeric: true, paths: ['pitchFactor'], value: (e) => num(numberAt(d(e), 'pitchFactor')) },
  {
    header: 'Collimation',
    unit: 'mm',
    numeric: true,
    paths: ['nominalSingleCollimationWidthMm', 'nominalTotalCollimationWidthMm'],
    value: (e) => collimation(e),
  },
  { header: 'Phantom', paths: ['ctdiwPhantomType'], value: (e) => stringAt(d(e), 'ctdiwPhantomType') },
  {
    header: 'Dose check',
    paths: [],
    value: (e) => (at(d(e), 'doseCheck') ? <a href={`#dose-check-${e.eventId}`}>{doseCheckSummary(e)}</a> : null),
  },
];

function xraySources(e: StudyEvent): unknown[] {
  const list = at(d(e), 'xraySources');
  return Array.isArray(list) ? list : [];
}

function collimation(e: StudyEvent): string | null {
  const single = numberAt(d(e), 'nominalSingleCollimationWidthMm');
  const total = numberAt(d(e), 'nominalTotalCollimationWidthMm');
  if (single === null && total === null) return null;
  return `${num(single)} / ${num(total)}`;
}

function doseCheckSummary(e: StudyEvent): string {
  const parts = [];
  if (
    at(d(e), 'doseCheck.alertReasonForProceeding') !== undefined ||
    at(d(e), 'doseCheck.dlpAlertValueMgyCm') !== undefined
  )
    parts.push('alert');
  if (
    at(d(e), 'doseCheck.notificationReasonForProceeding') !== undefined ||
    at(d(e), 'doseCheck.dlpNotificationValueMgyCm') !== undefined
  )
    parts.push('notification');
  return parts.length > 0 ? parts.join(', ') : 'details';
}

/** CT Dose Check Details (PS3.16 TID 10015, NEMA XR 25): one row per event that carries them. */
export const DOSE_CHECK_COLUMNS: readonly EventColumn[] = [
  { header: 'Protocol', paths: [], value: (e) => e.acquisitionProtocol },
  { header: 'DLP alert configured', paths: [], value: (e) => yesNo(at(d(e), 'doseCheck.dlpAlertValueConfigured')) },
  {
    header: 'CTDIvol alert configured',
    paths: [],
    value: (e) => yesNo(at(d(e), 'doseCheck.ctdivolAlertValueConfigured')),
  },
  { header: 'DLP alert value', unit: 'mGy·cm', numeric: true, paths: [], value: (e) => dc(e, 'dlpAlertValueMgyCm') },
  { header: 'CTDIvol alert value', unit: 'mGy', numeric: true, paths: [], value: (e) => dc(e, 'ctdivolAlertValueMgy') },
  {
    header: 'Accumulated DLP forward estimate',
    unit: 'mGy·cm',
    numeric: true,
    paths: [],
    value: (e) => dc(e, 'accumulatedDlpForwardEstimateMgyCm'),
  },
  {
    header: 'Accumulated CTDIvol forward estimate',
    unit: 'mGy',
    numeric: true,
    paths: [],
    value: (e) => dc(e, 'accumulatedCtdivolForwardEstimateMgy'),
  },
  {
    header: 'Alert reason for proceeding',
    paths: [],
    value: (e) => stringAt(d(e), 'doseCheck.alertReasonForProceeding'),
  },
  {
    header: 'Alert authorised by',
    paths: [],
    value: (e) => authorisedBy(at(d(e), 'doseCheck.alertPersonParticipant')),
  },
  {
    header: 'DLP notification configured',
    paths: [],
    value: (e) => yesNo(at(d(e), 'doseCheck.dlpNotificationValueConfigured')),
  },
  {
    header: 'CTDIvol notification configured',
    paths: [],
    value: (e) => yesNo(at(d(e), 'doseCheck.ctdivolNotificationValueConfigured')),
  },
  {
    header: 'DLP notification value',
    unit: 'mGy·cm',
    numeric: true,
    paths: [],
    value: (e) => dc(e, 'dlpNotificationValueMgyCm'),
  },
  {
    header: 'CTDIvol notification value',
    unit: 'mGy',
    numeric: true,
    paths: [],
    value: (e) => dc(e, 'ctdivolNotificationValueMgy'),
  },
  {
    header: 'DLP forward estimate',
    unit: 'mGy·cm',
    numeric: true,
    paths: [],
    value: (e) => dc(e, 'dlpForwardEstimateMgyCm'),
  },
  {
    header: 'CTDIvol forward estimate',
    unit: 'mGy',
    numeric: true,
    paths: [],
    value: (e) => dc(e, 'ctdivolForwardEstimateMgy'),
  },
  {
    header: 'Notification reason for proceeding',
    paths: [],
    value: (e) => stringAt(d(e), 'doseCheck.notificationReasonForProceeding'),
  },
  {
    header: 'Notification authorised by',
    paths: [],
    value: (e) => authorisedBy(at(d(e), 'doseCheck.notificationPersonParticipant')),
  },
];

function dc(e: StudyEvent, field: string): string | null {
  const v = numberAt(d(e), `doseCheck.${field}`);
  return v === null ? null : num(v);
}

export const PROJECTION_COLUMNS: readonly EventColumn[] = [
  { header: 'Type', paths: ['irradiationEventType'], value: (e) => stringAt(d(e), 'irradiationEventType') },
  { header: 'Protocol', paths: ['acquisitionProtocol'], value: (e) => e.acquisitionProtocol },
  { header: 'Plane', paths: ['acquisitionPlane'], value: (e) => stringAt(d(e), 'acquisitionPlane') },
  {
    header: 'Region',
    paths: ['targetRegion', 'anatomicalStructure'],
    value: (e) => e.targetRegion,
  },
  { header: 'Laterality', paths: ['laterality'], value: (e) => stringAt(d(e), 'laterality') },
  { header: 'View', paths: ['imageView'], value: (e) => stringAt(d(e), 'imageView') },
  { header: 'DAP', unit: 'Gy·cm²', numeric: true, paths: ['dapGyCm2'], value: (e) => num(e.dapGyCm2) },
  {
    header: 'Ka,r',
    unit: 'Gy',
    numeric: true,
    paths: ['doseRpGy', 'source.doseRpGy'],
    value: (e) => num(e.doseRpGy),
  },
  { header: 'AGD', unit: 'mGy', numeric: true, paths: ['source.averageGlandularDoseMgy'], value: (e) => num(e.agdMgy) },
  { header: 'kVp', unit: 'kV', numeric: true, paths: ['source.kvp'], value: (e) => spread(at(d(e), 'source.kvp')) },
  {
    header: 'Tube current',
    unit: 'mA',
    numeric: true,
    paths: ['source.xrayTubeCurrentMa', 'source.averageXrayTubeCurrentMa'],
    value: (e) =>
      spread(at(d(e), 'source.xrayTubeCurrentMa')) ?? num(numberAt(d(e), 'source.averageXrayTubeCurrentMa')),
  },
  {
    header: 'Exposure',
    unit: 'µAs',
    numeric: true,
    paths: ['source.exposureUas'],
    value: (e) => spread(at(d(e), 'source.exposureUas')),
  },
  {
    header: 'Pulse rate',
    unit: '/s',
    numeric: true,
    paths: ['source.pulseRatePerS'],
    value: (e) => num(numberAt(d(e), 'source.pulseRatePerS')),
  },
  {
    header: 'Pulses',
    numeric: true,
    paths: ['source.numberOfPulses'],
    value: (e) => num(numberAt(d(e), 'source.numberOfPulses')),
  },
  {
    header: 'Pulse width',
    unit: 'ms',
    numeric: true,
    paths: ['source.pulseWidthMs'],
    value: (e) => spread(at(d(e), 'source.pulseWidthMs')),
  },
  {
    header: 'Exposure time',
    unit: 'ms',
    numeric: true,
    paths: ['source.exposureTimeMs'],
    value: (e) => num(numberAt(d(e), 'source.exposureTimeMs')),
  },
  {
    header: 'Duration',
    unit: 's',
    numeric: true,
    paths: ['source.irradiationDurationS'],
    value: (e) => num(numberAt(d(e), 'source.irradiationDurationS')),
  },
  {
    header: 'Primary angle',
    unit: '°',
    numeric: true,
    paths: ['mechanical.positionerPrimaryAngleDeg'],
    value: (e) => num(numberAt(d(e), 'mechanical.positionerPrimaryAngleDeg')),
  },
  {
    header: 'Secondary angle',
    unit: '°',
    numeric: true,
    paths: ['mechanical.positionerSecondaryAngleDeg'],
    value: (e) => num(numberAt(d(e), 'mechanical.positionerSecondaryAngleDeg')),
  },
  { header: 'Filters', unit: 'mm', paths: ['source.filters'], value: filters },
  {
    header: 'Compression',
    unit: 'mm',
    numeric: true,
    paths: ['mechanical.compressionThicknessMm'],
    value: (e) => num(numberAt(d(e), 'mechanical.compressionThicknessMm')),
  },
];

export const RADIOPHARMACEUTICAL_COLUMNS: readonly EventColumn[] = [
  {
    header: 'Radiopharmaceutical',
    paths: ['radiopharmaceuticalAgent', 'radiopharmaceuticalAgentString'],
    value: (e) => e.acquisitionProtocol,
  },
  { header: 'Radionuclide', paths: ['radionuclide'], value: (e) => stringAt(d(e), 'radionuclide') },
  {
    header: 'Activity',
    unit: 'MBq',
    numeric: true,
    paths: ['administeredActivityMbq'],
    value: (e) => num(e.administeredActivityMbq),
  },
  { header: 'Route', paths: ['routeOfAdministration'], value: (e) => stringAt(d(e), 'routeOfAdministration') },
  { header: 'Site', paths: ['siteOf'], value: (e) => stringAt(d(e), 'siteOf') },
  {
    header: 'Start (device time)',
    paths: ['radiopharmaceuticalStartDatetime'],
    value: (e) => stringAt(d(e), 'radiopharmaceuticalStartDatetime')?.replace('T', ' ') ?? null,
  },
  {
    header: 'Volume',
    unit: 'mL',
    numeric: true,
    paths: ['radiopharmaceuticalVolumeMl'],
    value: (e) => num(numberAt(d(e), 'radiopharmaceuticalVolumeMl')),
  },
  {
    header: 'Effective dose',
    unit: 'mSv',
    numeric: true,
    paths: ['effectiveDoseMsv'],
    value: (e) => num(numberAt(d(e), 'effectiveDoseMsv')),
  },
];

const isKnown = (v: ComponentChildren | null): boolean => v !== null && v !== undefined && v !== '—' && v !== '';

/** The table columns for these events: number, time, the kind's columns with a value, then "More". */
export function tableColumns(
  kindColumns: readonly EventColumn[],
  events: readonly IndexedEvent[],
  timeZone: string,
  common: readonly string[] = ['irradiationEventUid', 'dateTimeStarted', 'dateTimeStartedUtcOffset'],
): Column<IndexedEvent>[] {
  const present = kindColumns.filter((c) => events.some((x) => isKnown(c.value(x.event))));
  const shown = new Set([...common, ...kindColumns.flatMap((c) => c.paths)]);
  return [
    { header: '#', numeric: true, cell: (x) => x.n },
    {
      header: 'Time',
      cell: (x) => <time datetime={x.event.occurredAt}>{timeOfDay(x.event.occurredAt, timeZone)}</time>,
    },
    ...present.map((c): Column<IndexedEvent> => ({
      header: c.header,
      ...(c.unit ? { unit: c.unit } : {}),
      ...(c.numeric ? { numeric: true } : {}),
      cell: (x) => {
        const v = c.value(x.event);
        return isKnown(v) ? v : '—';
      },
    })),
    { header: 'More', cell: (x) => <MoreFields n={x.n} event={x.event} shown={shown} /> },
  ];
}

/** Every other stored field of the event, folded away so hundreds of rows stay scannable. */
function MoreFields(props: { n: number; event: StudyEvent; shown: ReadonlySet<string> }) {
  const fields = fieldsOf(props.event.details, props.shown);
  if (fields.length === 0) return <span class="muted">—</span>;
  return (
    <details class="more-fields">
      <summary>
        {fields.length} fields<span class="visually-hidden"> of event {props.n}</span>
      </summary>
      <dl>
        {fields.map((f, i) => (
          <div key={i}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
