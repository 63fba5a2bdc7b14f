// reference-levels: versioned, sourced reference data (DRLs, notification values, conversion
// factors) with its JSON schema and loader. Other features read it only through this index.
export { ukNationalDrls, parseReferenceLevelSet, loadReferenceLevelFile } from './loader.ts';
export type { DiagnosticReferenceLevel, ReferenceLevelSet, ReferenceSource, ReferenceStatus } from './types.ts';
