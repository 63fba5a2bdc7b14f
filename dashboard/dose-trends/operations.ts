import type { ApiOperation } from '../../core/index.ts';
import {
  STEP_CHANGE_PARAMETERS_SCHEMA,
  TREND_PARAMETERS_SCHEMA,
  WORKLOAD_PARAMETERS_SCHEMA,
} from '../../analytics/index.ts';
import { STUDY_FILTER_PROPERTIES } from '../studies/index.ts';
import { STEP_CHANGES_API_PATH, TRENDS_API_PATH, WORKLOAD_API_PATH } from './api.ts';

/** The study browser's filters plus an endpoint's own parameters, as the routes validate them. */
const withStudyFilters = (own: { properties: Readonly<Record<string, object>> }) => ({
  properties: { ...STUDY_FILTER_PROPERTIES, ...own.properties },
});

/** The dose-trend operations of the OpenAPI document (GET /api/v1/openapi.json). */
export const TREND_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get',
    path: TRENDS_API_PATH,
    operationId: 'getDoseTrends',
    summary: 'Weekly or monthly median dose with its interquartile range',
    description:
      'Per room, standard procedure and/or trust (groupBy), for one dose quantity, over the studies the ' +
      'study-browser filters select in the caller’s trusts.',
    tags: ['analytics'],
    query: withStudyFilters(TREND_PARAMETERS_SCHEMA),
    responseDescription: 'One series per group: per period, the median with its interquartile range and the exam count',
    csv: true,
  },
  {
    method: 'get',
    path: STEP_CHANGES_API_PATH,
    operationId: 'getDoseStepChanges',
    summary: 'Step changes in a series’ dose (Pettitt’s change-point test on daily medians)',
    tags: ['analytics'],
    query: withStudyFilters(STEP_CHANGE_PARAMETERS_SCHEMA),
    responseDescription: 'Each step change found, with its series, date and size',
    csv: true,
  },
  {
    method: 'get',
    path: WORKLOAD_API_PATH,
    operationId: 'getWorkload',
    summary: 'Exams per room per day',
    tags: ['analytics'],
    query: withStudyFilters(WORKLOAD_PARAMETERS_SCHEMA),
    responseDescription: 'Rows of room, day and exam count',
    csv: true,
  },
];
