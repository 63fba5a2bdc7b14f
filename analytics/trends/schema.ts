import { GROUP_DIMENSIONS, PERIODS, TREND_QUANTITIES } from './types.ts';

/**
 * The parameters of the trend, step-change and workload APIs beyond the study browser's filters
 * (which keep their own parser, dashboard/studies/query.ts): validated by ajv, a bad value a 400
 * naming it. One schema per API, so each refuses what it would ignore.
 */
const dimension = `(${GROUP_DIMENSIONS.join('|')})`;
const groupBy = { type: 'string', pattern: `^${dimension}(,${dimension}){0,2}$` } as const;
const quantity = { type: 'string', enum: [...TREND_QUANTITIES], default: 'dlp_mgycm' } as const;
const standardProcedure = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
const format = { type: 'string', enum: ['json', 'csv'], default: 'json' } as const;

export const TREND_PARAMETERS_SCHEMA = {
  type: 'object',
  properties: {
    quantity,
    period: { type: 'string', enum: [...PERIODS], default: 'week' },
    groupBy: { ...groupBy, default: 'room,standardProcedure' },
    standardProcedure,
    format,
  },
} as const;

export const STEP_CHANGE_PARAMETERS_SCHEMA = {
  type: 'object',
  properties: { quantity, groupBy: { ...groupBy, default: 'room,standardProcedure' }, standardProcedure, format },
} as const;

export const WORKLOAD_PARAMETERS_SCHEMA = {
  type: 'object',
  properties: { standardProcedure, format },
} as const;

export interface TrendParameters {
  quantity: (typeof TREND_QUANTITIES)[number];
  period: (typeof PERIODS)[number];
  groupBy: string;
  standardProcedure?: string;
  format: 'json' | 'csv';
}
export type StepChangeParameters = Omit<TrendParameters, 'period'>;
export type WorkloadParameters = Pick<TrendParameters, 'standardProcedure' | 'format'>;

/** The parameter names these APIs own; everything else in the query string is a study-browser filter. */
export const OWN_PARAMETERS = ['quantity', 'period', 'groupBy', 'standardProcedure', 'format'] as const;
