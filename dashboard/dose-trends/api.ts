import express, { type Request, type Response, type Router } from 'express';
import { actorOf, addressOf, auditActor, recordAudit, requestIdOf, requireScope } from '../../access/index.ts';
import {
  doseTrends,
  MIN_SEGMENT_DAYS,
  MIN_STEP_RATIO,
  QUANTITY_LABELS,
  STEP_ALPHA,
  STEP_CHANGE_PARAMETERS_SCHEMA,
  stepChanges,
  TREND_PARAMETERS_SCHEMA,
  workload,
  WORKLOAD_PARAMETERS_SCHEMA,
  type StepChange,
  type StepChangeParameters,
  type TrendParameters,
  type TrendPoint,
  type TrendSeries,
  type WorkloadParameters,
  type WorkloadRow,
} from '../../analytics/index.ts';
import type { QueryRunner } from '../../core/index.ts';
import { PAGES } from '../pages.ts';
import { sendCsv, type CsvColumn } from './csv.ts';
import { groupByOf, ownParser, parseAnalyticsRequest } from './request.ts';

export const TRENDS_API_PATH = '/api/v1/analytics/trends';
export const STEP_CHANGES_API_PATH = '/api/v1/analytics/step-changes';
export const WORKLOAD_API_PATH = '/api/v1/analytics/workload';

const parseTrend = ownParser<TrendParameters>(TREND_PARAMETERS_SCHEMA);
const parseStep = ownParser<StepChangeParameters>(STEP_CHANGE_PARAMETERS_SCHEMA);
const parseWorkload = ownParser<WorkloadParameters>(WORKLOAD_PARAMETERS_SCHEMA);

/** The step-change method as every answer states it, so a reader can weigh a reported change. */
export const STEP_METHOD = {
  name: 'Pettitt change-point test (Pettitt 1979), binary segmentation over daily medians',
  alpha: STEP_ALPHA,
  minRatio: MIN_STEP_RATIO,
  minSegmentDays: MIN_SEGMENT_DAYS,
} as const;

type Point = { series: TrendSeries; point: TrendPoint };
const seriesColumns = <R>(of: (r: R) => Omit<TrendSeries, 'points' | 'drl'>): CsvColumn<R>[] => [
  { header: 'trust', value: (r) => of(r).trustCode ?? of(r).room?.trustCode },
  { header: 'device_id', value: (r) => of(r).room?.deviceId },
  { header: 'room', value: (r) => of(r).room?.name },
  { header: 'standard_procedure_code', value: (r) => of(r).standardProcedure?.code },
  { header: 'standard_procedure', value: (r) => of(r).standardProcedure?.name },
];

const TREND_CSV: CsvColumn<Point & { quantity: string }>[] = [
  ...seriesColumns<Point & { quantity: string }>((r) => r.series),
  { header: 'quantity', value: (r) => r.quantity },
  { header: 'period_start', value: (r) => r.point.periodStart },
  { header: 'n', value: (r) => r.point.n },
  { header: 'p25', value: (r) => r.point.p25 },
  { header: 'median', value: (r) => r.point.median },
  { header: 'p75', value: (r) => r.point.p75 },
  { header: 'national_drl', value: (r) => r.series.drl?.value },
];

const STEP_CSV: CsvColumn<StepChange>[] = [
  ...seriesColumns<StepChange>((r) => r),
  { header: 'quantity', value: (r) => r.quantity },
  { header: 'change_date', value: (r) => r.changeDate },
  { header: 'median_before', value: (r) => r.medianBefore },
  { header: 'median_after', value: (r) => r.medianAfter },
  { header: 'ratio', value: (r) => r.ratio },
  { header: 'days_before', value: (r) => r.daysBefore },
  { header: 'days_after', value: (r) => r.daysAfter },
  { header: 'exams_before', value: (r) => r.examsBefore },
  { header: 'exams_after', value: (r) => r.examsAfter },
  { header: 'p_value', value: (r) => r.pValue },
];

const WORKLOAD_CSV: CsvColumn<WorkloadRow>[] = [
  { header: 'day', value: (r) => r.day },
  { header: 'trust', value: (r) => r.trustCode },
  { header: 'device_id', value: (r) => r.deviceId },
  { header: 'room', value: (r) => r.room },
  { header: 'exams', value: (r) => r.exams },
];

export interface TrendApiDependencies {
  readonly db: QueryRunner;
  readonly timeZone: string;
}

/** Exports are audited (who took which aggregate out of Kerma, with which filters). */
async function auditExport(db: QueryRunner, req: Request, what: string, detail: Record<string, unknown>) {
  await recordAudit(db, {
    ...auditActor(actorOf(req)),
    action: 'analytics.export',
    address: addressOf(req),
    requestId: requestIdOf(req),
    detail: { what, format: 'csv', ...detail },
  });
}

function scopeOf(req: Request, timeZone: string) {
  return { trustIds: actorOf(req).trustIds, timeZone };
}

/**
 * GET /api/v1/analytics/trends, /step-changes and /workload: JSON (or CSV with ?format=csv) for a
 * signed-in physicist, governance lead or admin, or an API key with the `read` scope; over the
 * caller's trusts only, with the study browser's filters.
 */
export function trendsApiRouter(deps: TrendApiDependencies): Router {
  const router = express.Router();
  const guard = requireScope(deps.db, 'read', { roles: PAGES.doseTrends.roles });

  router.get(TRENDS_API_PATH, guard, async (req: Request, res: Response) => {
    const request = parseAnalyticsRequest(req.query, parseTrend, scopeOf(req, deps.timeZone));
    const { quantity, period, format } = request.own;
    const groupBy = groupByOf(request.own.groupBy);
    const series = await doseTrends(deps.db, request.selection, { quantity, period, groupBy });
    const window = { from: request.selection.fromDate, to: request.selection.toDate };
    if (format === 'csv') {
      await auditExport(deps.db, req, 'trends', { quantity, period, groupBy, filters: request.filters });
      const points = series.flatMap((s) => s.points.map((point) => ({ series: s, point, quantity })));
      return sendCsv(res, 'dose-trends', TREND_CSV, points);
    }
    res.set('Cache-Control', 'no-store').json({
      quantity,
      unit: QUANTITY_LABELS[quantity].unit,
      period,
      groupBy,
      ...window,
      timeZone: deps.timeZone,
      series,
    });
  });

  router.get(STEP_CHANGES_API_PATH, guard, async (req: Request, res: Response) => {
    const request = parseAnalyticsRequest(req.query, parseStep, scopeOf(req, deps.timeZone));
    const { quantity, format } = request.own;
    const groupBy = groupByOf(request.own.groupBy);
    const changes = await stepChanges(deps.db, request.selection, { quantity, groupBy });
    if (format === 'csv') {
      await auditExport(deps.db, req, 'step-changes', { quantity, groupBy, filters: request.filters });
      return sendCsv(res, 'step-changes', STEP_CSV, changes);
    }
    res.set('Cache-Control', 'no-store').json({
      quantity,
      unit: QUANTITY_LABELS[quantity].unit,
      groupBy,
      from: request.selection.fromDate,
      to: request.selection.toDate,
      timeZone: deps.timeZone,
      method: STEP_METHOD,
      changes,
    });
  });

  router.get(WORKLOAD_API_PATH, guard, async (req: Request, res: Response) => {
    const request = parseAnalyticsRequest(req.query, parseWorkload, scopeOf(req, deps.timeZone));
    const rows = await workload(deps.db, request.selection);
    if (request.own.format === 'csv') {
      await auditExport(deps.db, req, 'workload', { filters: request.filters });
      return sendCsv(res, 'workload', WORKLOAD_CSV, rows);
    }
    res.set('Cache-Control', 'no-store').json({
      from: request.selection.fromDate,
      to: request.selection.toDate,
      timeZone: deps.timeZone,
      rows,
    });
  });
  return router;
}
