import type { QueryRunner } from '../../core/index.ts';
import { detectChanges, median, STEP_ALPHA } from './step-change.ts';
import {
  dailyMedianOf,
  dailyMedianRows,
  nationalDrls,
  seriesKeyOf,
  trendPointOf,
  trendRows,
  workloadRows,
  type DailyRecord,
  type TrendRecord,
} from './store.ts';
import type {
  DailyMedian,
  GroupDimension,
  SeriesKey,
  StepChange,
  StudySelection,
  TrendQuantity,
  TrendQuery,
  TrendSeries,
  WorkloadRow,
} from './types.ts';

/** How each quantity is named and measured in tables, charts and explanations. */
export const QUANTITY_LABELS: Record<TrendQuantity, { readonly name: string; readonly unit: string }> = {
  dlp_mgycm: { name: 'DLP', unit: 'mGy·cm' },
  ctdivol_mgy: { name: 'CTDIvol', unit: 'mGy' },
  dap_gycm2: { name: 'DAP', unit: 'Gy·cm²' },
  kar_gy: { name: 'Ka,r', unit: 'Gy' },
  agd_mgy: { name: 'AGD', unit: 'mGy' },
  activity_mbq: { name: 'Administered activity', unit: 'MBq' },
};

type Grouped = { g_room?: string | null; g_standardprocedure?: string | null; g_trust?: string | null };
const keyText = (r: Grouped) => JSON.stringify([r.g_room ?? null, r.g_standardprocedure ?? null, r.g_trust ?? null]);

/** Rows in series order, split into their series (rows of one series are adjacent). */
function bySeries<R extends Grouped>(rows: readonly R[]): R[][] {
  const series: R[][] = [];
  let last: string | undefined;
  for (const row of rows) {
    const key = keyText(row);
    if (key !== last) series.push([]);
    series.at(-1)!.push(row);
    last = key;
  }
  return series;
}

/** Weekly or monthly median and interquartile range per series, with the DRL line where one applies. */
export async function doseTrends(
  db: QueryRunner,
  selection: StudySelection,
  query: TrendQuery,
): Promise<TrendSeries[]> {
  const rows = await trendRows(db, selection, query);
  const groups = bySeries<TrendRecord>(rows);
  const codes = [...new Set(rows.map((r) => r.g_standardprocedure).filter((c): c is string => Boolean(c)))];
  const drls = await nationalDrls(db, codes, query.quantity);
  return groups.map((records) => {
    const key = seriesKeyOf(records[0]!, query.groupBy);
    const code = key.standardProcedure?.code;
    return { ...key, drl: (code && drls.get(code)) || null, points: records.map(trendPointOf) };
  });
}

const round = (value: number, digits = 3) => Number(value.toPrecision(digits));

function explain(change: Omit<StepChange, 'explanation'>): string {
  const { name, unit } = QUANTITY_LABELS[change.quantity];
  const direction = change.ratio < 1 ? 'fell' : 'rose';
  const p = change.pValue < 0.0001 ? 'p < 0.0001' : `p = ${round(change.pValue, 2)}`;
  return (
    `Median ${name} ${direction} from ${round(change.medianBefore)} to ${round(change.medianAfter)} ${unit} ` +
    `(×${round(change.ratio, 2)}) from ${change.changeDate}: Pettitt change-point test on daily medians, ${p} ` +
    `(threshold ${STEP_ALPHA}); ${change.daysBefore} days (${change.examsBefore} exams) at the earlier level, ` +
    `${change.daysAfter} days (${change.examsAfter} exams) at the new one.`
  );
}

/** The step changes of one series of daily medians, each measured against its neighbouring levels. */
export function seriesChanges(days: readonly DailyMedian[], key: SeriesKey, quantity: TrendQuantity): StepChange[] {
  const found = detectChanges(days);
  const bounds = [0, ...found.map((c) => c.firstAfter), days.length];
  return found.map((change, i) => {
    const before = days.slice(bounds[i], change.firstAfter);
    const after = days.slice(change.firstAfter, bounds[i + 2]);
    const medianBefore = median(before.map((d) => d.median));
    const medianAfter = median(after.map((d) => d.median));
    const exams = (list: readonly DailyMedian[]) => list.reduce((sum, d) => sum + d.n, 0);
    const measured = {
      ...key,
      quantity,
      changeDate: days[change.firstAfter]!.day,
      medianBefore,
      medianAfter,
      ratio: medianAfter / medianBefore,
      daysBefore: before.length,
      daysAfter: after.length,
      examsBefore: exams(before),
      examsAfter: exams(after),
      pValue: change.pValue,
    };
    return { ...measured, explanation: explain(measured) };
  });
}

/** Step changes in each series' dose over the window (docs/adr/0015 for the method and thresholds). */
export async function stepChanges(
  db: QueryRunner,
  selection: StudySelection,
  query: { quantity: TrendQuantity; groupBy: readonly GroupDimension[] },
): Promise<StepChange[]> {
  const rows = await dailyMedianRows(db, selection, query);
  return bySeries<DailyRecord>(rows).flatMap((records) =>
    seriesChanges(records.map(dailyMedianOf), seriesKeyOf(records[0]!, query.groupBy), query.quantity),
  );
}

/** Exams per room per day of the region. */
export function workload(db: QueryRunner, selection: StudySelection): Promise<WorkloadRow[]> {
  return workloadRows(db, selection);
}
