/** Procedure standardisation (docs/adr/0013-procedure-standardisation.md): rules, standard procedures, results. */

/** What a study "is" for comparisons (table standard_procedures, migration 0015). */
export interface StandardProcedure {
  readonly code: string;
  readonly name: string;
  readonly modality: string;
  /** DICOM Body Part Examined defined term (PS3.16 Annex L), e.g. HEAD, CHESTABDPELVIS. */
  readonly bodyRegion: string;
  /** The DRL rows it is compared with; null: never compared. */
  readonly drlCategory: string | null;
  readonly lateral: boolean;
  readonly builtin: boolean;
}

/** How a rule's text criterion is compared: equal ignoring case and surrounding spaces, or a PostgreSQL regex (~*). */
export type MatchKind = 'exact' | 'regex';

export interface TextCriterion {
  readonly pattern: string;
  readonly match: MatchKind;
}

/** The editable part of a rule: every criterion that is set must hold. */
export interface RuleFields {
  /** null: consortium-wide. */
  readonly trustCode: string | null;
  /** The study's modality is one of these; null: any modality. */
  readonly modalities: readonly string[] | null;
  /** Equals the value of studies.procedure_code ("scheme:value"), or the whole of it. */
  readonly procedureCode: string | null;
  /** The study description (or the requested procedure when there is none). */
  readonly description: TextCriterion | null;
  /** Any irradiation event's acquisition protocol. */
  readonly protocol: TextCriterion | null;
  /** Any irradiation event's target region, as stored ("Chest"). */
  readonly bodyPart: string | null;
  /** null: an exclusion (quality control, radiotherapy planning): decided, never compared, not "unmapped". */
  readonly standardProcedureCode: string | null;
  readonly note: string | null;
  readonly enabled: boolean;
}

export interface ProcedureRule extends RuleFields {
  readonly ruleId: number;
  /** Order of evaluation (lower first); at equal position a trust's rule comes before a consortium-wide one. */
  readonly position: number;
  readonly standardProcedureName: string | null;
  readonly builtin: boolean;
  readonly updatedBy: string | null;
  readonly updatedAt: string;
}

/** A description (with its modality and trust) that no rule matches, and how many studies carry it. */
export interface UnmappedDescription {
  readonly trustCode: string;
  readonly modality: string;
  /** null: the studies have neither a description nor a requested procedure. */
  readonly description: string | null;
  readonly studies: number;
  readonly firstStudyAt: string | null;
  readonly lastStudyAt: string | null;
}

export interface UnmappedList {
  readonly items: readonly UnmappedDescription[];
  /** Over every matching group, not only the page shown. */
  readonly totalStudies: number;
  readonly totalDescriptions: number;
}

export interface UnmappedFilter {
  readonly trustIds: readonly number[];
  readonly trustCode?: string | undefined;
  readonly modalities?: readonly string[] | undefined;
  /** Region days (YYYY-MM-DD), `to` included. */
  readonly fromDate?: string | undefined;
  readonly toDate?: string | undefined;
  readonly limit: number;
}

/** What a study would carry, for "test a description against the rules". */
export interface RuleProbe {
  readonly trustId: number | null;
  readonly modality: string | null;
  readonly description: string | null;
  readonly procedureCode: string | null;
  readonly protocols: readonly string[];
  readonly bodyParts: readonly string[];
}

export interface ProbeResult {
  /** The rule that decides (the first match), or null: the study would stay unmapped. */
  readonly rule: ProcedureRule | null;
  readonly standardProcedure: StandardProcedure | null;
  /** Later rules that also match (shadowed by the first), in order. */
  readonly alsoMatching: readonly ProcedureRule[];
}

/** Who changes a rule, for the audit log and the rule's updated_by. */
export interface RuleEditor {
  readonly userId: number;
  readonly name: string;
  /** Trusts whose rules the editor may change (consortium-wide rules: any editor). */
  readonly trustCodes: readonly string[];
  readonly address?: string | undefined;
  readonly requestId?: string | undefined;
}

export interface RemapResult {
  /** Studies whose standard procedure or deciding rule changed. */
  readonly changed: number;
  readonly studies: number;
  readonly milliseconds: number;
}
