// The Reference levels pages and the /api/v1/reference-sets API (issue 11, docs/adr/0012).
export {
  REFERENCE_IMPORTERS,
  REFERENCE_SETS_API_PATH,
  importerOf,
  importerOfUser,
  referenceSetsApiRouter,
} from './api.ts';
export { referenceLevelsPageRoutes } from './page.tsx';
export { referenceSetPageRoutes } from './set-page.tsx';
