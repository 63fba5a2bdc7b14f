import { Chart, type ChartConfig } from '../components/index.ts';
import { formatFigure, QUANTITY_LABELS } from './rows.ts';
import type { ComplianceProcedure } from './service.ts';

type Quantity = ComplianceProcedure['quantities'][number];

/**
 * The chart configuration of one procedure and quantity: a box per room (min, quartiles, max of its
 * sample) and horizontal lines at the national DRL, the local DRL when one is loaded, and the third
 * quartile of the room medians. Plain data, so browser tests compare it with the API.
 */
export function boxPlotConfig(quantity: Quantity): ChartConfig {
  const annotations: Record<string, object> = {};
  // Labels at different ends, so lines close together do not print over each other.
  const line = (
    key: string,
    value: number,
    label: string,
    color: string,
    position: 'start' | 'center' | 'end',
    dash: number[] = [],
  ) => {
    annotations[key] = {
      type: 'line',
      yMin: value,
      yMax: value,
      borderColor: color,
      borderWidth: 2,
      borderDash: dash,
      label: { display: true, content: `${label} ${formatFigure(value)} ${quantity.unit}`, position },
    };
  };
  if (quantity.nationalDrl) line('nationalDrl', quantity.nationalDrl.value, 'National DRL', '#b3261e', 'start');
  const local = quantity.rooms.find((r) => r.localDrl)?.localDrl;
  if (local) line('localDrl', local.value, 'Local DRL', '#7a4b00', 'center', [6, 4]);
  if (quantity.roomMediansThirdQuartile !== null)
    line('roomMediansQ3', quantity.roomMediansThirdQuartile, 'Q3 of room medians', '#1f5f99', 'end', [2, 3]);
  return {
    type: 'boxplot',
    data: {
      labels: quantity.rooms.map((r) => `${r.room} (${r.trustCode})`),
      datasets: [
        {
          label: `${QUANTITY_LABELS[quantity.quantity]} (${quantity.unit})`,
          backgroundColor: 'rgba(31, 95, 153, 0.25)',
          borderColor: '#1f5f99',
          borderWidth: 1,
          data: quantity.rooms.map((r) => ({
            min: r.minimum,
            q1: r.firstQuartile,
            median: r.median,
            q3: r.thirdQuartile,
            max: r.maximum,
          })),
        },
      ],
    },
    options: { kermaUnit: quantity.unit, plugins: { annotation: { annotations }, legend: { display: false } } },
  };
}

export function RoomBoxPlot(props: { procedure: ComplianceProcedure; quantity: Quantity }) {
  const { procedure, quantity } = props;
  const label = `${procedure.name}: ${QUANTITY_LABELS[quantity.quantity]} per room, ${quantity.unit}`;
  return (
    <Chart id="drl-box-plot" label={label} config={boxPlotConfig(quantity)}>
      {label}. Boxes span the first to third quartile with the median inside; whiskers reach the lowest and highest
      value. Room medians:{' '}
      {quantity.rooms.map((r) => `${r.room} ${formatFigure(r.median)} (n = ${r.sampleSize})`).join('; ')}.
      {quantity.nationalDrl
        ? ` National DRL ${formatFigure(quantity.nationalDrl.value)} ${quantity.unit}.`
        : ' No national DRL.'}
    </Chart>
  );
}
