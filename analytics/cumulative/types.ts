/**
 * A patient's cumulative exposure across the region's trusts (docs/adr/0015). Patients are found
 * by an identifier the caller types; it is turned into the keyed hash ingest stores and never kept.
 */

/** What the caller typed: an NHS number (links every trust) or a local ID of one trust. */
export type PatientIdentifier =
  | { readonly kind: 'nhs_number'; readonly nhsNumber: string }
  | { readonly kind: 'local'; readonly trust: string; readonly issuer?: string | undefined; readonly value: string };

/** Days of the region (YYYY-MM-DD), both included. */
export interface DayWindow {
  readonly from: string;
  readonly to: string;
}

export interface TimelineExam {
  readonly studyId: number;
  readonly studyDateTime: string | null;
  readonly trustCode: string;
  readonly room: string | null;
  readonly modality: string;
  readonly studyDescription: string | null;
  readonly standardProcedure: { readonly code: string; readonly name: string } | null;
  /** NULL: no estimate for this exam (no factor for its region or modality, or not computed yet). */
  readonly effectiveDoseMsv: number | null;
  readonly effectiveDoseMethod: string | null;
  /** Sum of the known effective doses of this exam and every earlier one; NULL before the first known. */
  readonly cumulativeEffectiveDoseMsv: number | null;
  readonly totalDlpMgyCm: number | null;
  readonly totalDapGyCm2: number | null;
  /** Accumulated reference air kerma (Ka,r) at the patient entrance reference point. */
  readonly karGy: number | null;
  readonly totalAgdMgy: number | null;
  readonly totalActivityMbq: number | null;
}

/** Sums over a set of exams; a sum of nothing known is NULL, never 0. */
export interface DoseTotals {
  readonly exams: number;
  readonly ctExams: number;
  readonly effectiveDoseMsv: number | null;
  /** Exams without an effective dose estimate: the sum above leaves them out. */
  readonly examsWithoutEffectiveDose: number;
  readonly fluoroscopyExams: number;
  readonly fluoroscopyKarGy: number | null;
  readonly fluoroscopyDapGyCm2: number | null;
}

export interface PatientDoseSummary {
  readonly lifetime: DoseTotals;
  readonly rolling12Months: DoseTotals & DayWindow;
  readonly window: DoseTotals & DayWindow;
}

export interface PatientDoseHistory {
  /** False when no exam of this patient is in the caller's trusts (whether or not the patient exists elsewhere). */
  readonly found: boolean;
  readonly trusts: readonly string[];
  readonly summary: PatientDoseSummary | null;
  readonly timeline: readonly TimelineExam[];
}
