import {
  PATIENT_DOSE_BODY_SCHEMA,
  STEP_CHANGE_PARAMETERS_SCHEMA,
  TREND_PARAMETERS_SCHEMA,
  WORKLOAD_PARAMETERS_SCHEMA,
} from '../../analytics/index.ts';
import type { ApiOperation } from '../../core/index.ts';
import { PATIENT_DOSE_API_PATH } from '../patient-dose/api.ts';
import { STUDY_QUERY_SCHEMA } from '../studies/index.ts';
import { STEP_CHANGES_API_PATH, TRENDS_API_PATH, WORKLOAD_API_PATH } from './api.ts';
import { PAGING } from './request.ts';

/** The study browser's filters, without its paging (refused by these aggregates). */
const filters = Object.fromEntries(
  Object.entries(STUDY_QUERY_SCHEMA.properties).filter(([name]) => !(PAGING as readonly string[]).includes(name)),
) as Record<string, object>;

const query = (own: { properties: Record<string, object> }) => ({ properties: { ...filters, ...own.properties } });

/** Issue 11's trend and patient APIs in the OpenAPI document, described by the schemas that validate them. */
export const TREND_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get',
    path: TRENDS_API_PATH,
    operationId: 'doseTrends',
    summary: 'Weekly or monthly median and interquartile range per room, standard procedure or trust',
    description:
      'Over the caller’s trusts and the study browser’s filters (from/to: days of the region, default the 12 ' +
      'months to today), with the national DRL of each standard procedure that has one.',
    tags: ['analytics'],
    query: query(TREND_PARAMETERS_SCHEMA),
    responseDescription: 'Series of { periodStart, n, p25, median, p75 } points with their DRL line',
    csv: true,
  },
  {
    method: 'get',
    path: STEP_CHANGES_API_PATH,
    operationId: 'doseStepChanges',
    summary: 'Step changes in each series’ dose (Pettitt’s test on daily medians), with date and size',
    tags: ['analytics'],
    query: query(STEP_CHANGE_PARAMETERS_SCHEMA),
    responseDescription: 'The method and its thresholds, and each change with its date, medians, ratio and p-value',
    csv: true,
  },
  {
    method: 'get',
    path: WORKLOAD_API_PATH,
    operationId: 'workload',
    summary: 'Exams per room per day of the region',
    tags: ['analytics'],
    query: query(WORKLOAD_PARAMETERS_SCHEMA),
    responseDescription: 'Rows of { day, trustCode, deviceId, room, exams }',
    csv: true,
  },
  {
    method: 'post',
    path: PATIENT_DOSE_API_PATH,
    operationId: 'patientDoseHistory',
    summary: 'One patient’s exams and cumulative dose across the caller’s trusts (audited)',
    description:
      'The identifier travels in the body, never in a URL. A browser session sends X-CSRF-Token; an API key ' +
      'needs the read scope.',
    tags: ['analytics'],
    body: PATIENT_DOSE_BODY_SCHEMA,
    responseDescription: 'found, the trusts, lifetime / rolling 12-month / window totals and the timeline',
  },
];
