// dashboard: the web shell (layout, navigation, shared components, static assets) and its pages.
// The composition root and the tests import only from here.
export { createDashboardRouter } from './router.tsx';
export { pageErrorHandler } from './page-errors.tsx';
export type { DashboardDependencies } from './context.ts';
export { PAGES, PUBLIC_PAGES, navigationFor, type PageSpec } from './pages.ts';
export { SIGN_IN_FAILED, SIGN_IN_LIMITED } from './pages/sign-in.tsx';
export { createStudyApiRouter } from './study/routes.tsx';
export {
  createPatientSizeApiRouter,
  PATIENT_SIZES_API_PATH,
  PATIENT_SIZE_OPTIONS_SCHEMA,
} from './patient-size/index.ts';
export { loadStudyDetail, type StudyQuery } from './study/service.ts';
export type { StudyDetail, ProjectionTotalsRow } from './study/types.ts';
export { referenceSetsApiRouter } from './reference-levels/index.ts';
// Issue 11's analytics APIs, mounted by the composition root beside the other JSON APIs (their errors
// are JSON, answered by the app's error chain, not the pages' error page).
export {
  trendsApiRouter,
  TREND_OPERATIONS,
  TRENDS_API_PATH,
  STEP_CHANGES_API_PATH,
  WORKLOAD_API_PATH,
} from './dose-trends/index.ts';
export { patientDoseApiRouter, PATIENT_DOSE_API_PATH } from './patient-dose/index.ts';
export { drlApiRouter, DRL_OPERATIONS } from './drl-compliance/index.ts';
export { STUDY_OPERATIONS } from './studies/index.ts';
