/**
 * The vocabulary of dose trends, step changes and workload (docs/adr/0015). Quantity names are the
 * reference_values names (CONTRACT-11), so a trend and its DRL line speak of the same quantity.
 */

export const TREND_QUANTITIES = ['dlp_mgycm', 'ctdivol_mgy', 'dap_gycm2', 'kar_gy', 'agd_mgy', 'activity_mbq'] as const;
export type TrendQuantity = (typeof TREND_QUANTITIES)[number];

export const PERIODS = ['week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

/** What a series is "per": each dimension chosen splits the studies further. */
export const GROUP_DIMENSIONS = ['room', 'standardProcedure', 'trust'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

// One parameter list for a statement's own values and the study browser's filter conditions.
import type { SqlParameters } from '../dose-metrics/recompute-sql.ts';
export type { SqlParameters };

/**
 * Which studies a question is about: always the caller's trusts (the data layer adds that condition
 * itself), a window of the region's days, and optional further conditions on `studies s` (the study
 * browser's filters, built by the caller into the same parameter list).
 */
export interface StudySelection {
  readonly trustIds: readonly number[];
  /** First and last day included, YYYY-MM-DD in the region's time zone. */
  readonly fromDate: string;
  readonly toDate: string;
  readonly timeZone: string;
  readonly standardProcedure?: string | undefined;
  readonly conditions?: ((p: SqlParameters) => string[]) | undefined;
}

export interface RoomRef {
  readonly deviceId: number;
  readonly name: string;
  readonly trustCode: string;
}

export interface ProcedureRef {
  /** NULL: studies not mapped to a standard procedure. */
  readonly code: string | null;
  readonly name: string | null;
}

/** The national DRL drawn on a series' chart, with the edition it comes from. */
export interface DrlLine {
  readonly value: number;
  readonly quantity: TrendQuantity;
  readonly referenceValueId: number;
  readonly drlCategory: string;
  readonly setTitle: string;
  readonly edition: string;
  readonly status: 'C' | 'S';
}

/** A series' identity: only the dimensions grouped by are present. */
export interface SeriesKey {
  readonly room?: RoomRef | undefined;
  readonly standardProcedure?: ProcedureRef | undefined;
  readonly trustCode?: string | undefined;
}

export interface TrendPoint {
  /** First day of the week (Monday) or month, in the region's time zone. */
  readonly periodStart: string;
  readonly n: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
}

export interface TrendSeries extends SeriesKey {
  readonly drl: DrlLine | null;
  readonly points: readonly TrendPoint[];
}

export interface TrendQuery {
  readonly quantity: TrendQuantity;
  readonly period: Period;
  readonly groupBy: readonly GroupDimension[];
}

/** A day's median of one series: what step changes are detected on. */
export interface DailyMedian {
  readonly day: string;
  readonly n: number;
  readonly median: number;
}

export interface StepChange extends SeriesKey {
  readonly quantity: TrendQuantity;
  /** First day of the new level, in the region's time zone. */
  readonly changeDate: string;
  readonly medianBefore: number;
  readonly medianAfter: number;
  /** medianAfter / medianBefore: 0.72 is a 28% drop. */
  readonly ratio: number;
  readonly daysBefore: number;
  readonly daysAfter: number;
  readonly examsBefore: number;
  readonly examsAfter: number;
  /** Pettitt's approximate two-sided p-value for the change point. */
  readonly pValue: number;
  readonly explanation: string;
}

export interface WorkloadRow {
  readonly day: string;
  readonly trustCode: string;
  readonly deviceId: number | null;
  readonly room: string | null;
  readonly exams: number;
}
