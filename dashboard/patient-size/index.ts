// The patient size import's page and API (analytics/patient-size holds the use case).
export { patientSizeRoutes } from './routes.tsx';
export { createPatientSizeApiRouter, PATIENT_SIZES_API_PATH, type PatientSizeRouteDependencies } from './api.ts';
// The API's options as ajv validates them, for the OpenAPI document.
export { PATIENT_SIZE_OPTIONS_SCHEMA } from './mapping.ts';
