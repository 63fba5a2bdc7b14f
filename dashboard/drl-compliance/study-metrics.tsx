import type { ReferenceLevel, StudyDoseMetrics } from '../../analytics/index.ts';
import { Table, type Column } from '../components/index.ts';
import { formatFigure, QUANTITY_LABELS } from './rows.ts';

/** Why a study has no effective dose estimate, in a physicist's words. */
const MISSING: Readonly<Record<string, string>> = {
  unmapped: 'the study is not mapped to a standard procedure',
  'no-k-factor-region': 'its standard procedure has no k-factor region',
  'no-k-factor': 'no k-factor is loaded for its region and age band',
  'dlp-unknown': 'its DLP is unknown',
  'age-unknown': 'the patient’s age is unknown (the k-factor depends on it)',
  'no-administration': 'no administration is recorded',
  'no-coefficient': 'no E per MBq coefficient is loaded for the radiopharmaceutical',
  'activity-unknown': 'an administered activity is unknown',
  'no-dap-factor': 'no E per DAP factor is loaded for its DRL category',
  'dap-unknown': 'its DAP is unknown',
  'not-patient': 'it is a QA or phantom exposure',
};

const METHOD: Readonly<Record<string, string>> = {
  'ct-k-factor': 'k-factor × DLP',
  'nm-per-mbq': 'E per MBq × administered activity',
  'dap-conversion': 'E per DAP × DAP',
  'aapm-220-water-equivalent-diameter': 'AAPM 220, water-equivalent diameter from the RDSR',
  'aapm-204-effective-diameter': 'AAPM 204, effective diameter',
  'device-reported': 'as the device reported it',
};

function source(level: ReferenceLevel | null): string {
  if (!level) return '—';
  const verify = level.status === 'S' ? ' (verify against primary)' : '';
  return `${level.setTitle}, ${level.edition}${verify}`;
}

type Comparison = StudyDoseMetrics['comparisons'][number];

const comparisonColumns: Column<Comparison>[] = [
  { header: 'DRL', cell: (c) => (c.scope === 'national' ? 'National' : 'Local') },
  { header: 'Quantity', cell: (c) => QUANTITY_LABELS[c.quantity] },
  { header: 'Observed', numeric: true, cell: (c) => formatFigure(c.observed) },
  { header: 'DRL value', numeric: true, cell: (c) => formatFigure(c.referenceLevel) },
  { header: 'Ratio', numeric: true, cell: (c) => formatFigure(c.ratio) },
  {
    header: 'Outcome',
    cell: (c) =>
      c.above ? (
        <strong class="finding">
          Above
          {c.sequencesCompared !== null ? ` (${c.sequencesAbove} of ${c.sequencesCompared} sequences)` : ''}
        </strong>
      ) : (
        'Not above'
      ),
  },
  { header: 'Source', cell: (c) => source(c.reference) },
];

/** The study page's "Dose estimates and DRL comparison" section. */
export function StudyDoseMetricsSection(props: { metrics: StudyDoseMetrics | undefined }) {
  const m = props.metrics;
  return (
    <section class="panel" aria-labelledby="dose-metrics">
      <h2 id="dose-metrics">Dose estimates and DRL comparison</h2>
      {!m ? (
        <p>Not computed yet for this study.</p>
      ) : (
        <>
          <dl class="facts">
            <div class="fact">
              <dt>Effective dose (mSv)</dt>
              <dd>
                {m.effectiveDose.msv === null
                  ? `No estimate: ${MISSING[m.effectiveDose.missingReason ?? ''] ?? m.effectiveDose.missingReason ?? 'unknown'}`
                  : `${formatFigure(m.effectiveDose.msv)} (${METHOD[m.effectiveDose.method ?? ''] ?? m.effectiveDose.method}; ${m.effectiveDose.factors.map((f) => `${formatFigure(f.value)} from ${source(f)}`).join('; ')})`}
              </dd>
            </div>
            <div class="fact">
              <dt>SSDE (mGy)</dt>
              <dd>
                {m.ssde.mgy === null
                  ? 'None: no patient size or no phantom in the dose report'
                  : `${formatFigure(m.ssde.mgy)} (${METHOD[m.ssde.method ?? ''] ?? m.ssde.method}${m.ssde.sizeCm === null ? '' : `, D = ${formatFigure(m.ssde.sizeCm)} cm`})`}
              </dd>
            </div>
            {m.effectiveDose.ctPhantom ? (
              <div class="fact">
                <dt>CTDIvol phantom</dt>
                <dd>{m.effectiveDose.ctPhantom}</dd>
              </div>
            ) : null}
          </dl>
          <Table
            caption="Comparison with the diagnostic reference levels in force, with the edition each used"
            columns={comparisonColumns}
            rows={m.comparisons}
            rowKey={(c) => `${c.scope}/${c.quantity}`}
            empty={{ title: 'Not compared with a DRL: no DRL category for this study, or no DRL loaded for it.' }}
          />
        </>
      )}
    </section>
  );
}
