// Patient dose history (issue 11): the look-up API and page.
export { patientDoseApiRouter, PATIENT_DOSE_API_PATH } from './api.ts';
export { patientDosePageRoutes } from './page.tsx';
