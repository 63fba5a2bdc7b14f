/**
 * The study browser's vocabulary: what a caller may ask (filters, sort, page) and what a page of
 * results holds. Units are in the names, as in the store (docs/data-model.md).
 */

/** Who is asking: the data layer shows only studies of these trusts (docs/adr/0007). */
export interface StudyBrowserActor {
  readonly trustIds: readonly number[];
}

export const SEXES = ['F', 'M', 'O'] as const;
export type Sex = (typeof SEXES)[number];

/** A closed range; either end may be open. */
export interface NumberRange {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

export interface StudyFilters {
  /** First and last day (inclusive), in the region's time zone, as YYYY-MM-DD. */
  readonly fromDate?: string | undefined;
  readonly toDate?: string | undefined;
  /** Trust code; must be one of the caller's. */
  readonly trust?: string | undefined;
  readonly deviceId?: number | undefined;
  /** Any of these modalities (the peer's DX list also holds CR). */
  readonly modalities?: readonly string[] | undefined;
  /** Case-insensitive "contains" over the study description. */
  readonly description?: string | undefined;
  /** Case-insensitive "contains" over the requested procedure. */
  readonly procedure?: string | undefined;
  /** Case-insensitive "contains" over any event's acquisition protocol. */
  readonly protocol?: string | undefined;
  readonly ageYears?: NumberRange | undefined;
  readonly sex?: Sex | undefined;
  readonly weightKg?: NumberRange | undefined;
  readonly totalDlpMgyCm?: NumberRange | undefined;
  /** The study's highest event CTDIvol. */
  readonly maxCtdivolMgy?: NumberRange | undefined;
  readonly totalDapGyCm2?: NumberRange | undefined;
  readonly totalDoseRpGy?: NumberRange | undefined;
  readonly eventCount?: NumberRange | undefined;
  /** Studies mapped to this standard procedure (its code). */
  readonly standardProcedure?: string | undefined;
  /** With a weight range: studies without a recorded weight match too (DRL samples' typical patients). */
  readonly weightUnknown?: 'include' | undefined;
  /** Patient studies only: QA and phantom exposures (the not-patient patterns) left out. */
  readonly patientsOnly?: boolean | undefined;
}

/**
 * Sortable columns: each has an index on (column, study_id) (migration 0012), so a deep page is an
 * index range scan. Columns without one (age, weight, max CTDIvol) are filters only: sorting 10 M
 * rows for every page would take seconds.
 */
export const SORT_KEYS = ['time', 'dlp', 'dap', 'doseRp', 'events'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export interface StudySort {
  readonly key: SortKey;
  readonly direction: SortDirection;
}

/** A position between two rows: the sort value and study id of the row it is next to. */
export interface Cursor {
  /** Doses as stored; times as microseconds since 1970 (exact for timestamptz). */
  readonly value: number | null;
  readonly studyId: number;
}

export interface StudyQuery {
  readonly filters: StudyFilters;
  readonly sort: StudySort;
  /** Rows after this position (next page) or before it (previous page); neither: the first page. */
  readonly after?: Cursor | undefined;
  readonly before?: Cursor | undefined;
  readonly limit: number;
}

export interface StudyRow {
  readonly studyId: number;
  readonly studyDateTime: string | null;
  readonly trustCode: string;
  readonly deviceId: number | null;
  readonly room: string | null;
  readonly modality: string;
  readonly studyDescription: string | null;
  readonly ageYears: number | null;
  readonly sex: Sex | null;
  readonly weightKg: number | null;
  readonly eventCount: number;
  readonly totalDlpMgyCm: number | null;
  readonly maxCtdivolMgy: number | null;
  readonly totalDapGyCm2: number | null;
  readonly totalDoseRpGy: number | null;
}

/** How many studies match: exact up to a cap, above it only "more than". */
export interface StudyCount {
  readonly count: number;
  readonly exact: boolean;
}

export interface StudyPage {
  readonly rows: readonly StudyRow[];
  /** Cursors of the neighbouring pages, absent at either end. */
  readonly next?: Cursor | undefined;
  readonly previous?: Cursor | undefined;
  readonly count: StudyCount;
}

/** A device the caller may filter by: one of their trusts' rooms. */
export interface DeviceOption {
  readonly deviceId: number;
  readonly trustCode: string;
  readonly label: string;
}
