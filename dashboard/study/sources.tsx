import type { ReportRole } from '../../ingest/index.ts';
import { Table, type Column } from '../components/index.ts';
import { formatDateTime } from '../format.ts';
import { num, text } from './format.ts';
import type { MergedReport, SourceObject, StudyDetail } from './types.ts';

/** Where the study's data came from: each received object, and what each report did to the totals. */
const TRANSPORTS: Readonly<Record<string, string>> = {
  dimse: 'DICOM C-STORE',
  stow: 'STOW-RS',
  file: 'File import',
  reprocess: 'Reprocessed',
};

export const SOURCE_KINDS: Readonly<Record<string, string>> = {
  'ct-rdsr': 'CT RDSR',
  'projection-rdsr': 'X-ray RDSR',
  'radiopharmaceutical-rdsr': 'Radiopharmaceutical RDSR',
  'philips-ct-dose-sc': 'CT dose screen (Philips)',
  'ct-image': 'CT image headers',
  'dx-image': 'DX image header',
  'mg-image': 'MG image header',
  'nm-image': 'NM image header',
  'pet-image': 'PET image header',
};

const ROLES: Readonly<Record<ReportRole, string>> = {
  counted: 'Counted in the totals',
  outranked: 'Not counted: a better source of the same dose is present',
  superseded: 'Not counted: a later cumulative report lists all its events',
  'events-summed': 'Counted through its events: the reports overlap only in part',
};

const TOTALS_FROM: Readonly<Record<StudyDetail['totalsFrom'], string>> = {
  reports: "The study totals add up the counted reports' own totals (what each device reported).",
  events: 'The counted reports share some events but neither contains the other, so the totals sum the stored events.',
  none: 'No report was counted: the totals are unknown.',
};

function sourceColumns(timeZone: string): Column<SourceObject>[] {
  return [
    { header: 'Received', cell: (o) => formatDateTime(o.receivedAt, timeZone) },
    { header: 'Transport', cell: (o) => TRANSPORTS[o.transport] ?? o.transport },
    { header: 'Sender', cell: (o) => text(o.sender) },
    { header: 'Status', cell: (o) => o.status },
    {
      header: 'Extractor',
      cell: (o) =>
        o.extractor ? `${o.extractor}${o.extractorVersion === null ? '' : ` v${o.extractorVersion}`}` : '—',
    },
    { header: 'Size', unit: 'kB', numeric: true, cell: (o) => num(o.byteSize / 1024, 3) },
    { header: 'SHA-256', cell: (o) => <code class="hash">{o.sha256}</code> },
    { header: 'Warnings', cell: (o) => (o.warnings.length > 0 ? o.warnings.join('; ') : '—') },
  ];
}

function reportColumns(timeZone: string): Column<MergedReport>[] {
  return [
    { header: 'Merged', cell: (r) => formatDateTime(r.mergedAt, timeZone) },
    { header: 'Source', cell: (r) => SOURCE_KINDS[r.sourceKind] ?? r.sourceKind },
    { header: 'Modality', cell: (r) => r.modality },
    { header: 'Events', numeric: true, cell: (r) => r.eventCount.toLocaleString('en-GB') },
    { header: 'DLP', unit: 'mGy·cm', numeric: true, cell: (r) => num(r.totals.dlpMgyCm) },
    { header: 'DAP', unit: 'Gy·cm²', numeric: true, cell: (r) => num(r.totals.dapGyCm2) },
    { header: 'Ka,r', unit: 'Gy', numeric: true, cell: (r) => num(r.totals.doseRpGy) },
    { header: 'AGD', unit: 'mGy', numeric: true, cell: (r) => num(r.totals.agdMgy) },
    { header: 'Activity', unit: 'MBq', numeric: true, cell: (r) => num(r.totals.activityMbq) },
    {
      header: 'In the totals',
      cell: (r) => (
        <span class={r.role === 'counted' || r.role === 'events-summed' ? 'role-in' : 'role-out'}>{ROLES[r.role]}</span>
      ),
    },
  ];
}

export function SourcesSection(props: { detail: StudyDetail; timeZone: string }) {
  const { detail, timeZone } = props;
  return (
    <section class="panel" aria-labelledby="study-sources">
      <h2 id="study-sources">Source objects and merge history</h2>
      <Table
        caption="Every object received for this study"
        columns={sourceColumns(timeZone)}
        rows={detail.sources}
        rowKey={(o) => String(o.sourceObjectId)}
        empty={{ title: 'No source objects recorded.', hint: 'Directly loaded (synthetic) studies have none.' }}
      />
      <h3>Merge history</h3>
      <p class="muted">
        Per dose domain only the best source present counts: RDSR over dose screen over image headers.{' '}
        {TOTALS_FROM[detail.totalsFrom]}
      </p>
      <Table
        caption="Reports merged into this study, oldest first, and whether each made the totals"
        columns={reportColumns(timeZone)}
        rows={detail.reports}
        rowKey={(r) => String(r.sourceObjectId)}
        empty={{ title: 'No dose reports merged.' }}
      />
    </section>
  );
}
