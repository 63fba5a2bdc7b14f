// Dose trends (issue 11): the trend, step-change and workload APIs and the Dose trends page.
export { trendsApiRouter, TRENDS_API_PATH, STEP_CHANGES_API_PATH, WORKLOAD_API_PATH } from './api.ts';
export { doseTrendsPageRoutes } from './page.tsx';
export { TREND_OPERATIONS } from './operations.ts';
