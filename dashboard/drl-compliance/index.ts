// The DRL compliance page and the DRL APIs (issue 11): rooms' medians against national and local
// DRLs, local DRL runs, one study's dose metrics. The composition root imports only from here.
export { drlApiRouter } from './api.ts';
export { drlCompliancePageRoutes } from './page.tsx';
export {
  DRL_COMPLIANCE_API_PATH,
  DRL_OPERATIONS,
  LOCAL_DRLS_API_PATH,
  STUDY_DOSE_METRICS_API_PATH,
} from './operations.ts';
