// Procedure mapping: the page (/procedure-mapping) and its JSON API (/api/v1/procedure-mapping).
export { procedureMappingPageRoutes } from './page.tsx';
export { procedureMappingApi, API as PROCEDURE_MAPPING_API } from './api.ts';
