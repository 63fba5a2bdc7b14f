// reference-levels: versioned, sourced reference data (DRLs, notification values, conversion
// factors) with its JSON schema, importers and store (docs/adr/0012). Other features read it only
// through this index: currentReferenceValues for figures, BUILTIN_SET_KEYS for the shipped sets.
export {
  KIND_LABELS,
  QUANTITIES,
  QUANTITY_NAMES,
  REFERENCE_SET_KINDS,
  VERIFY_AGAINST_PRIMARY,
  isQuantity,
  type QuantitySpec,
} from './vocabulary.ts';
export { referenceSetSchema, referenceValueSchema } from './schema.ts';
export { parseReferenceSet, parseReferenceSetJson } from './parse.ts';
export { CSV_COLUMNS, parseReferenceSetCsv, referenceSetCsv } from './csv.ts';
export {
  BUILTIN_SET_FILES,
  BUILTIN_SET_KEYS,
  builtinReferenceSets,
  loadReferenceSetFile,
  ukNationalDrls,
} from './builtin.ts';
export { MISSING_REFERENCE_TABLES, type MissingReferenceTable } from './missing.ts';
export {
  currentReferenceValues,
  importReferenceSet,
  importReferenceSetIn,
  listReferenceSets,
  referenceSetDetail,
  seedBuiltinReferenceSets,
  type ImportOptions,
  type SeedResult,
} from './service.ts';
export type {
  DiagnosticReferenceLevel,
  ImportResult,
  Quantity,
  ReferenceImporter,
  ReferenceLevelSet,
  ReferenceSetDetail,
  ReferenceSetDocument,
  ReferenceSetKind,
  ReferenceSetSummary,
  ReferenceSource,
  ReferenceStatus,
  ReferenceValueFilter,
  ReferenceValueInput,
  StoredReferenceValue,
} from './types.ts';
