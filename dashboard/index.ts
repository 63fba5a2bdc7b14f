// dashboard: the web shell (layout, navigation, shared components, static assets) and its pages.
// The composition root and the tests import only from here.
export { createDashboardRouter } from './router.tsx';
export { pageErrorHandler } from './page-errors.tsx';
export type { DashboardDependencies } from './context.ts';
export { PAGES, PUBLIC_PAGES, navigationFor, type PageSpec } from './pages.ts';
export { SIGN_IN_FAILED, SIGN_IN_LIMITED } from './pages/sign-in.tsx';
export { createStudyApiRouter } from './study/routes.tsx';
export { loadStudyDetail, type StudyQuery } from './study/service.ts';
export type { StudyDetail, ProjectionTotalsRow } from './study/types.ts';
export { drlApiRouter, DRL_OPERATIONS } from './drl-compliance/index.ts';
export { STUDY_OPERATIONS } from './studies/index.ts';
