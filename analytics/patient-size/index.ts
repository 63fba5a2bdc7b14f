// Patient size import (docs/adr/0014-patient-size-import.md): RIS heights and weights matched to
// studies by accession number or Study Instance UID. Other folders import it through analytics/index.ts.
export { importPatientSizes, type PatientSizeDependencies, type PatientSizeImport } from './service.ts';
export { readCsv, columnLabel, guessColumns, NO_COLUMN, type CsvTable, type MappingInput } from './csv.ts';
export * from './types.ts';
