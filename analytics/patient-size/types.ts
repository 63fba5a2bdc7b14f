/**
 * Patient size import: a RIS export (CSV) of heights and weights, matched to studies by accession
 * number or Study Instance UID, fills the sizes the dose objects did not carry (docs/adr/0014).
 */

/** What a row's key column holds. */
export type MatchKey = 'accession' | 'study-uid';
export const MATCH_KEYS: readonly MatchKey[] = ['accession', 'study-uid'];

/** RIS systems give heights in centimetres or metres; the store keeps metres (patient_height_m). */
export type HeightUnit = 'cm' | 'm';
export const HEIGHT_UNITS: readonly HeightUnit[] = ['cm', 'm'];

/**
 * Which column holds what. A column is named by its header text (case-insensitive) or by its
 * 1-based number; without a header row only numbers work.
 */
export interface ColumnMapping {
  readonly match: MatchKey;
  readonly keyColumn: string;
  readonly heightColumn?: string | undefined;
  readonly weightColumn?: string | undefined;
  /** A column naming each row's trust (its code); rows with it empty take the default trust. */
  readonly trustColumn?: string | undefined;
  readonly heightUnit: HeightUnit;
  /** The first record holds column names, not data. */
  readonly header: boolean;
  /** One character; undefined: guessed from the first line (comma, semicolon or tab). */
  readonly delimiter?: string | undefined;
}

/** Plausible sizes; a value outside is a unit mix-up or a typing error, never stored. */
export const HEIGHT_RANGE_M = { min: 0.3, max: 2.5 } as const;
export const WEIGHT_RANGE_KG = { min: 0.5, max: 400 } as const;

/** Why a row was not applied. Every data row either applies, changes nothing, or has one of these. */
export type RowProblemCode =
  | 'no-key'
  | 'no-size'
  | 'invalid-height'
  | 'invalid-weight'
  | 'implausible-height'
  | 'implausible-weight'
  | 'unknown-trust'
  | 'trust-not-permitted'
  | 'no-study'
  | 'conflict';

export interface RowProblem {
  /** Line of the file the row starts on (1 = the first line, the header when there is one). */
  readonly row: number;
  readonly code: RowProblemCode;
  readonly reason: string;
}

/** A data row read from the file, its values converted to store units. */
export interface SizeRow {
  readonly row: number;
  readonly key: string;
  readonly trustCode: string;
  readonly heightM: number | undefined;
  readonly weightKg: number | undefined;
}

/** What happened to one quantity of one matched study. */
export type SizeAction =
  | 'filled'
  /** An earlier import's value replaced (only with replaceImported). */
  | 'replaced'
  /** The study had this value already (from the dose objects or an earlier import). */
  | 'kept-dicom'
  | 'kept-imported'
  /** Another row of the file already fills this study with the same value. */
  | 'duplicate'
  /** The row gives no value for it. */
  | 'none';

export interface StudyChange {
  readonly studyId: number;
  readonly height: SizeAction;
  readonly weight: SizeAction;
}

/** One data row's outcome: applied (something written), unchanged (matched, nothing to write) or a problem. */
export type RowOutcome =
  | {
      readonly row: number;
      readonly status: 'applied' | 'unchanged';
      readonly heightM: number | undefined;
      readonly weightKg: number | undefined;
      readonly studies: readonly StudyChange[];
    }
  | ({ readonly status: 'problem' } & RowProblem);

export interface PatientSizeSummary {
  readonly dryRun: boolean;
  /** SHA-256 of the file: tells two imports of one file apart without keeping its content. */
  readonly fileSha256: string;
  /** Data rows (the header and blank lines excluded). */
  readonly rows: number;
  readonly applied: number;
  readonly unchanged: number;
  readonly problems: readonly RowProblem[];
  /** Studies whose height or weight was written (or, in a dry run, would be). */
  readonly heightsFilled: number;
  readonly weightsFilled: number;
  readonly studyIds: readonly number[];
}

export interface PatientSizeResult extends PatientSizeSummary {
  /** Every data row's outcome, in file order (for a preview). */
  readonly outcomes: readonly RowOutcome[];
  /** The mapping as used (guessed columns filled in). */
  readonly mapping: ColumnMapping;
}
