// The study browser (issue 10): filters, keyset pages and counts over the caller's trusts' studies,
// as a page (/studies) and as JSON (/api/v1/studies). Other code imports only from here.
export { createStudyBrowser, COUNT_CAP, type StudyBrowser, type StudyAuditActor } from './service.ts';
export { studiesApiRouter, STUDIES_API_PATH } from './api.ts';
export { studiesPageRoutes } from './page.tsx';
export {
  parseStudyQuery,
  studyQueryString,
  encodeCursor,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  STUDY_FILTER_PROPERTIES,
  STUDY_QUERY_SCHEMA,
} from './query.ts';
export { studyApiActorOf, studyActorOf, type StudyRequestActor } from './actor.ts';
export type * from './types.ts';
// The browser's filters as SQL conditions, for analytics APIs that take the same filters.
export { filterConditions, Parameters } from './filter-sql.ts';
export { STUDY_OPERATIONS } from './operations.ts';
