/**
 * DRL compliance and local DRLs (ICRP 135): the vocabulary of analytics/drl. Units are in the
 * quantity names; unknown is null, never 0.
 */

/** The DRL quantities compared: CTDIvol per sequence and DLP per exam (CT), DAP per exam (projection). */
export const DRL_QUANTITIES = ['ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2'] as const;
export type DrlQuantity = (typeof DRL_QUANTITIES)[number];

export const QUANTITY_UNITS: Readonly<Record<DrlQuantity, { unit: string; basis: 'per sequence' | 'per exam' }>> = {
  ctdivol_mgy: { unit: 'mGy', basis: 'per sequence' },
  dlp_mgycm: { unit: 'mGy·cm', basis: 'per exam' },
  dap_gycm2: { unit: 'Gy·cm²', basis: 'per exam' },
};

/** Typical patients: weight within [min, max] where it is known (both null: every patient). */
export interface WeightBand {
  readonly minKg: number | null;
  readonly maxKg: number | null;
}

/** ICRP 135's standard-size adult, "achieved e.g. by including patients of 50–90 kg" (reference data §2.2). */
export const DEFAULT_WEIGHT_BAND: WeightBand = { minKg: 50, maxKg: 90 };
/**
 * Rooms with fewer values than this have their median shown but neither make a finding nor enter
 * the consortium third quartile. The reference data gives no sourced minimum (§2.3); 20 is the
 * issue's default and it is configurable.
 */
export const DEFAULT_MIN_SAMPLE = 20;

/** A reference figure with the edition it comes from (what a comparison records). */
export interface ReferenceLevel {
  readonly referenceValueId: number;
  readonly value: number;
  readonly status: 'C' | 'S';
  readonly statusNote: string | null;
  readonly setKey: string;
  readonly setTitle: string;
  readonly edition: string;
  readonly publisher: string;
  readonly sourceTitle: string;
  readonly sourceUrl: string | null;
  /** The trust of a local set; null for national and consortium-wide sets. */
  readonly trustCode: string | null;
}

/** One room's distribution of a quantity for one standard procedure. */
export interface RoomStatistics {
  readonly deviceId: number;
  readonly room: string;
  readonly trustCode: string;
  /** Values in the median: sequences for CTDIvol, exams otherwise. */
  readonly sampleSize: number;
  readonly studies: number;
  readonly minimum: number;
  readonly firstQuartile: number;
  readonly median: number;
  readonly thirdQuartile: number;
  readonly maximum: number;
  readonly meetsMinimumSample: boolean;
  readonly ratioToNational: number | null;
  readonly aboveNational: boolean | null;
  /** Room median above the national DRL on at least the minimum sample: a finding for the physicist. */
  readonly finding: boolean;
  /** The local DRL of the room's trust (or the consortium's), when one is loaded. */
  readonly localDrl: ReferenceLevel | null;
  readonly ratioToLocal: number | null;
  readonly aboveLocal: boolean | null;
}

export interface QuantityCompliance {
  readonly quantity: DrlQuantity;
  readonly unit: string;
  readonly basis: 'per sequence' | 'per exam';
  readonly nationalDrl: ReferenceLevel | null;
  /** Third quartile of the medians of the rooms shown that meet the minimum sample (ICRP 135 local DRL). */
  readonly roomMediansThirdQuartile: number | null;
  readonly roomsInThirdQuartile: number;
  readonly rooms: readonly RoomStatistics[];
}

export interface ProcedureCompliance {
  readonly standardProcedureCode: string;
  readonly name: string;
  readonly modality: string;
  readonly drlCategory: string;
  readonly quantities: readonly QuantityCompliance[];
}

/** Appends a value and returns its `$n` placeholder (dashboard/studies' Parameters satisfies it). */
export interface ParameterSink {
  readonly values: unknown[];
  add(value: unknown): string;
}

/** Extra conditions on `studies s` (the study browser's filters), built into the caller's parameters. */
export type StudyConditions = (p: ParameterSink) => readonly string[];

export interface ComplianceQuery {
  /** The caller's trusts: only their rooms' studies are counted. */
  readonly trustIds: readonly number[];
  readonly conditions: StudyConditions;
  readonly weightBand: WeightBand;
  readonly minSample: number;
}
