import type { DailyMedian } from './types.ts';

/**
 * Step changes in a dose series: Pettitt's non-parametric change-point test (A. N. Pettitt, "A
 * non-parametric approach to the change-point problem", Applied Statistics 28(2):126-135, 1979),
 * applied by binary segmentation to a series' daily medians. Why this method (docs/adr/0015):
 * - rank-based, so the 3-4x outliers every room has (a repeat, a large patient) do not move it, and
 *   log or linear dose give the same answer;
 * - retrospective: it finds when a level changed in a period, with no in-control baseline to
 *   choose (CUSUM needs one, and a target shift, before it can say anything);
 * - O(T log T) through ranks: U_t = 2·Σ_{i≤t} r_i − t(T+1), K = max|U_t|, p ≈ 2·exp(−6K²/(T³+T²)).
 */

/** Significance of a change: low, because a region has hundreds of series tested at once. */
export const STEP_ALPHA = 0.001;
/**
 * Smallest change reported (ratio of medians ≥ 1.1 or ≤ 1/1.1). With hundreds of exams a tiny drift
 * is "significant"; a physicist acts on a step of this order, not on 2%.
 */
export const MIN_STEP_RATIO = 1.1;
/** Days with exams on each side of a change: two weeks of evidence before a level is called new. */
export const MIN_SEGMENT_DAYS = 14;
/** More changes than this in one series is noise being split, not a story a chart can tell. */
const MAX_CHANGES = 4;

export interface PettittResult {
  /** Index of the last element of the first segment. */
  readonly lastBefore: number;
  readonly k: number;
  readonly pValue: number;
}

/** Ranks 1..T with ties given their average rank. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && order[end]![0] === order[start]![0]) end += 1;
    const rank = (start + end + 1) / 2; // average of ranks start+1 … end
    for (let j = start; j < end; j += 1) ranks[order[j]![1]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Pettitt's statistic over `values`. Undefined when the most likely change point leaves fewer than
 * `minSide` elements on a side: a level seen for a few days only is not called yet (moving the cut
 * inwards to make room would report the change on the wrong day).
 */
export function pettitt(values: readonly number[], minSide = 1): PettittResult | undefined {
  const n = values.length;
  if (n < 2 * minSide || n < 2) return undefined;
  const ranks = averageRanks(values);
  let sum = 0;
  let best = -1;
  let k = -1;
  for (let t = 1; t < n; t += 1) {
    sum += ranks[t - 1]!;
    const u = Math.abs(2 * sum - t * (n + 1));
    if (u > k) {
      k = u;
      best = t - 1;
    }
  }
  if (best < 0 || best + 1 < minSide || n - best - 1 < minSide) return undefined;
  const pValue = Math.min(1, 2 * Math.exp((-6 * k * k) / (n ** 3 + n ** 2)));
  return { lastBefore: best, k, pValue };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface DetectedChange {
  /** Index (into the daily series) of the first day of the new level. */
  readonly firstAfter: number;
  readonly pValue: number;
}

function splits(days: readonly DailyMedian[], from: number, to: number, found: DetectedChange[]): void {
  if (found.length >= MAX_CHANGES) return;
  const segment = days.slice(from, to);
  const result = pettitt(
    segment.map((d) => d.median),
    MIN_SEGMENT_DAYS,
  );
  if (!result || result.pValue >= STEP_ALPHA) return;
  const cut = from + result.lastBefore + 1;
  const ratio = median(days.slice(cut, to).map((d) => d.median)) / median(days.slice(from, cut).map((d) => d.median));
  if (!(ratio >= MIN_STEP_RATIO || ratio <= 1 / MIN_STEP_RATIO)) return;
  found.push({ firstAfter: cut, pValue: result.pValue });
  splits(days, from, cut, found);
  splits(days, cut, to, found);
}

/** The change points of a series of daily medians (in day order), earliest first. */
export function detectChanges(days: readonly DailyMedian[]): DetectedChange[] {
  const found: DetectedChange[] = [];
  splits(days, 0, days.length, found);
  return found.sort((a, b) => a.firstAfter - b.firstAfter);
}
