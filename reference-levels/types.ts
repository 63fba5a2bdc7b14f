import type { Quantity, ReferenceSetKind, ReferenceStatus } from './vocabulary.ts';

export type { Quantity, ReferenceSetKind, ReferenceStatus } from './vocabulary.ts';

/** Where a set's figures were published. */
export interface ReferenceSource {
  readonly title: string;
  readonly url?: string | undefined;
}

/** One figure of a set as written in a set document (schema.ts). Units are in `quantity`. */
export interface ReferenceValueInput {
  readonly valueKey: string;
  readonly modality?: string | undefined;
  /** DRL rows: the DRL category of the standard procedures they apply to. */
  readonly drlCategory?: string | undefined;
  /** Conversion factors: the region and age band in the source's own names ('head', 'adult'). */
  readonly bodyRegion?: string | undefined;
  readonly ageBand?: string | undefined;
  readonly quantity: Quantity;
  readonly value: number;
  readonly status: ReferenceStatus;
  readonly statusNote?: string | undefined;
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A reference set in one edition, as a file, an API body or a CSV describes it (schema.ts). A set
 * is identified by `setKey`; a new edition of the same key supersedes the current one.
 */
export interface ReferenceSetDocument {
  readonly setKey: string;
  readonly kind: ReferenceSetKind;
  readonly title: string;
  readonly publisher: string;
  readonly edition: string;
  /** The day the edition applies from (YYYY-MM-DD), when the source says. */
  readonly effectiveFrom?: string | undefined;
  readonly source: ReferenceSource;
  /** Local DRLs of one trust; absent for national and consortium-wide sets. */
  readonly trustCode?: string | undefined;
  readonly notes?: readonly string[] | undefined;
  readonly values: readonly ReferenceValueInput[];
}

/** A stored edition, as lists show it. */
export interface ReferenceSetSummary {
  readonly referenceSetId: number;
  readonly setKey: string;
  readonly kind: ReferenceSetKind;
  readonly title: string;
  readonly publisher: string;
  readonly edition: string;
  readonly effectiveFrom: string | null;
  readonly sourceTitle: string;
  readonly sourceUrl: string | null;
  readonly trustCode: string | null;
  readonly builtin: boolean;
  readonly loadedAt: string;
  readonly loadedBy: string | null;
  /** The edition that replaced this one; null while it is the current edition of its set. */
  readonly supersededBy: number | null;
  readonly supersededAt: string | null;
  readonly current: boolean;
  readonly valueCount: number;
  /** How many of its figures are secondary (S: verify against primary). */
  readonly secondaryCount: number;
}

/** A stored figure with the edition it belongs to: what a comparison records it used. */
export interface StoredReferenceValue {
  readonly referenceValueId: number;
  readonly referenceSetId: number;
  readonly setKey: string;
  readonly edition: string;
  readonly kind: ReferenceSetKind;
  readonly valueKey: string;
  readonly modality: string | null;
  readonly drlCategory: string | null;
  readonly bodyRegion: string | null;
  readonly ageBand: string | null;
  readonly quantity: Quantity;
  readonly value: number;
  readonly status: ReferenceStatus;
  readonly statusNote: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface ReferenceSetDetail {
  readonly set: ReferenceSetSummary;
  readonly notes: readonly string[];
  readonly values: readonly StoredReferenceValue[];
  /** Every edition of the same set key, newest first (this one included). */
  readonly editions: readonly ReferenceSetSummary[];
}

/** Narrows currentReferenceValues; every field given must match. */
export interface ReferenceValueFilter {
  readonly setKey?: string | undefined;
  readonly kind?: ReferenceSetKind | undefined;
  readonly modality?: string | undefined;
  readonly drlCategory?: string | undefined;
  readonly bodyRegion?: string | undefined;
  readonly ageBand?: string | undefined;
  readonly quantity?: Quantity | undefined;
  /**
   * Sets of these trusts plus the sets of no trust (national and consortium-wide); when omitted,
   * only sets of no trust.
   */
  readonly trustIds?: readonly number[] | undefined;
}

/** Who loads a set: written to reference_sets.loaded_by and to the audit log. */
export interface ReferenceImporter {
  readonly actorKind: 'user' | 'api-key' | 'system';
  readonly actorId?: number | undefined;
  readonly actorName: string;
  readonly trustCode?: string | undefined;
  readonly address?: string | undefined;
  readonly requestId?: string | undefined;
}

export interface ImportResult {
  readonly set: ReferenceSetSummary;
  /** The edition this one superseded, if the set had a current edition. */
  readonly superseded: { readonly referenceSetId: number; readonly edition: string } | null;
}

/** One UK adult national DRL row in the shape the synthetic region generator reads. */
export interface DiagnosticReferenceLevel {
  /** The DRL category (ct-head-acute-stroke, …) standard procedures are compared under. */
  readonly id: string;
  readonly modality: 'CT';
  readonly examination: string;
  readonly clinicalIndication: string | null;
  readonly technique: string;
  readonly ctdiVolPerSequenceMgy: number | null;
  readonly dlpPerExamMgyCm: number | null;
  readonly yearAdopted: number;
  readonly status: ReferenceStatus;
  readonly source: ReferenceSource & { readonly edition: string };
}

export interface ReferenceLevelSet {
  readonly set: string;
  readonly edition: string;
  readonly levels: readonly DiagnosticReferenceLevel[];
}
