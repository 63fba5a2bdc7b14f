// Procedure standardisation: the rule table, the set-based mapping of studies, the unmapped list
// (docs/adr/0013-procedure-standardisation.md). Other folders import it through analytics/index.ts.
export {
  mapStudies,
  mapIngestedStudies,
  remapHistory,
  remapPending,
  resumePendingRemap,
  RULES_LOCK_KEY,
} from './mapping.ts';
export { findRule, listRules, listStandardProcedures, findStandardProcedure, probeRules } from './rules-store.ts';
export { changeRule, createRule, createStandardProcedure, deleteRule, moveRule } from './rules-service.ts';
export { unmappedDescriptions } from './unmapped.ts';
export type * from './types.ts';
