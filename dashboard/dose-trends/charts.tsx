import { Chart, type ChartConfig } from '../components/index.ts';
import {
  QUANTITY_LABELS,
  type SeriesKey,
  type StepChange,
  type TrendQuantity,
  type TrendSeries,
} from '../../analytics/index.ts';

/** "CT A (TA) · CT Head": the dimensions a series is per, in reading order. */
export function seriesLabel(key: SeriesKey): string {
  const parts: string[] = [];
  if (key.trustCode !== undefined) parts.push(key.trustCode);
  if (key.room) parts.push(`${key.room.name} (${key.room.trustCode})`);
  if (key.standardProcedure) parts.push(key.standardProcedure.name ?? 'Unmapped procedures');
  return parts.join(' · ') || 'All exams';
}

const sameSeries = (a: SeriesKey, b: SeriesKey): boolean =>
  a.room?.deviceId === b.room?.deviceId &&
  a.standardProcedure?.code === b.standardProcedure?.code &&
  a.trustCode === b.trustCode;

/** The step changes of one series. */
export const changesOf = (series: SeriesKey, changes: readonly StepChange[]): StepChange[] =>
  changes.filter((c) => sameSeries(series, c));

/** The period (label) a change falls in: the last period starting on or before its date. */
function periodOf(labels: readonly string[], day: string): string | undefined {
  return labels.filter((l) => l <= day).at(-1);
}

// Colours from the stylesheet's palette; the band is the median line's colour, faint.
const MEDIAN = '#1d5fa8';
const BAND = 'rgba(29, 95, 168, 0.18)';
const DRL = '#b42318';
const STEP = '#7a4b00';

/**
 * The chart.js configuration of one series: the interquartile band (the 75th percentile filled
 * down to the 25th), the median line, the national DRL as a horizontal line and each step change
 * as a vertical line at its period. Data only: /static/charts.js draws it.
 */
export function trendChartConfig(
  series: TrendSeries,
  changes: readonly StepChange[],
  quantity: TrendQuantity,
): ChartConfig {
  const { name, unit } = QUANTITY_LABELS[quantity];
  const labels = series.points.map((p) => p.periodStart);
  const annotations: Record<string, unknown> = {};
  if (series.drl) {
    annotations.drl = {
      type: 'line',
      yMin: series.drl.value,
      yMax: series.drl.value,
      borderColor: DRL,
      borderDash: [6, 4],
      label: { display: true, content: `National DRL ${series.drl.value} ${unit}`, position: 'end' },
    };
  }
  changesOf(series, changes).forEach((change, i) => {
    const at = periodOf(labels, change.changeDate);
    if (at === undefined) return;
    annotations[`step${i}`] = {
      type: 'line',
      xMin: at,
      xMax: at,
      borderColor: STEP,
      label: {
        display: true,
        content: `Step ×${change.ratio.toFixed(2)} from ${change.changeDate}`,
        position: 'start',
      },
    };
  });
  return {
    type: 'line',
    data: {
      labels,
      datasets: [
        {
          label: '25th percentile',
          data: series.points.map((p) => p.p25),
          borderWidth: 0,
          pointRadius: 0,
          fill: false,
        },
        {
          label: 'Interquartile range (25th to 75th percentile)',
          data: series.points.map((p) => p.p75),
          borderWidth: 0,
          pointRadius: 0,
          backgroundColor: BAND,
          fill: '-1',
        },
        { label: 'Median', data: series.points.map((p) => p.median), borderColor: MEDIAN, backgroundColor: MEDIAN },
      ],
    },
    options: {
      kermaUnit: unit,
      plugins: { annotation: { annotations }, legend: { position: 'bottom' } },
      scales: { y: { beginAtZero: true, title: { display: true, text: `${name} (${unit})` } } },
    },
  };
}

/** One series: its heading, the chart, and the figures it draws as a table for screen readers. */
export function TrendChart(props: {
  index: number;
  series: TrendSeries;
  changes: readonly StepChange[];
  quantity: TrendQuantity;
}) {
  const { series, quantity } = props;
  const { name, unit } = QUANTITY_LABELS[quantity];
  const id = `trend-${props.index}`;
  const label = seriesLabel(series);
  const config = trendChartConfig(series, props.changes, quantity);
  return (
    <section class="panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{label}</h3>
      <p class="muted">
        {series.points.reduce((sum, p) => sum + p.n, 0).toLocaleString('en-GB')} values
        {series.drl
          ? ` · national DRL ${series.drl.value} ${unit} (${series.drl.setTitle}, edition ${series.drl.edition})`
          : ' · no national DRL for this series'}
      </p>
      <Chart id={id} label={`${name} median and interquartile range per period for ${label}`} config={config}>
        <details>
          <summary>Figures</summary>
          <div class="table-wrap" role="region" aria-label={`Figures for ${label}`} tabIndex={0}>
            <table>
              <caption>{`${name} (${unit}) per period for ${label}`}</caption>
              <thead>
                <tr>
                  <th scope="col">Period from</th>
                  <th scope="col" class="num">
                    Values
                  </th>
                  <th scope="col" class="num">
                    25th percentile
                  </th>
                  <th scope="col" class="num">
                    Median
                  </th>
                  <th scope="col" class="num">
                    75th percentile
                  </th>
                </tr>
              </thead>
              <tbody>
                {series.points.map((p) => (
                  <tr key={p.periodStart}>
                    <td>{p.periodStart}</td>
                    <td class="num">{p.n}</td>
                    <td class="num">{p.p25.toPrecision(4)}</td>
                    <td class="num">{p.median.toPrecision(4)}</td>
                    <td class="num">{p.p75.toPrecision(4)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </Chart>
    </section>
  );
}
