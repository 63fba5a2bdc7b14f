/** Confirmation status from the reference-data compilation: only `C` figures are encoded as defaults. */
export type ReferenceStatus = 'C' | 'S';

export interface ReferenceSource {
  readonly title: string;
  readonly url: string;
  readonly edition: string;
}

/** One national diagnostic reference level row. Units are in the field names. */
export interface DiagnosticReferenceLevel {
  readonly id: string;
  readonly modality: 'CT';
  readonly population: 'adult';
  readonly examination: string;
  readonly clinicalIndication: string | null;
  readonly technique: string;
  readonly ctdiVolPerSequenceMgy: number | null;
  readonly dlpPerExamMgyCm: number | null;
  readonly yearAdopted: number;
  readonly status: ReferenceStatus;
  readonly statusNote?: string;
  readonly source: ReferenceSource;
}

export interface ReferenceLevelSet {
  readonly set: string;
  readonly edition: string;
  readonly compiledFrom: string;
  readonly notes: readonly string[];
  readonly levels: readonly DiagnosticReferenceLevel[];
}
