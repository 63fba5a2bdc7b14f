// The patient size import's page and API (analytics/patient-size holds the use case).
export { patientSizeRoutes } from './routes.tsx';
export { createPatientSizeApiRouter, PATIENT_SIZES_API_PATH, type PatientSizeRouteDependencies } from './api.ts';
