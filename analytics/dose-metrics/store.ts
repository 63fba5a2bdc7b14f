import { sql, type QueryRunner } from '../../core/index.ts';
import { referenceLevelsById } from '../drl/reference-levels.ts';
import type { DrlQuantity, ReferenceLevel } from '../drl/types.ts';

/** One study's stored dose metrics and DRL comparisons, each with the reference edition it used. */
export interface StudyDoseMetrics {
  readonly studyId: number;
  readonly computedAt: string;
  readonly effectiveDose: {
    readonly msv: number | null;
    /** 'ct-k-factor', 'nm-per-mbq' or 'dap-conversion'; null when there is no estimate. */
    readonly method: string | null;
    /** Why there is no estimate ('unmapped', 'no-k-factor', 'age-unknown', …); null when there is one. */
    readonly missingReason: string | null;
    readonly factors: readonly ReferenceLevel[];
    readonly kBodyRegion: string | null;
    readonly ageBand: string | null;
    /** The CTDIvol phantom of the study's sequences: '16cm', '32cm', 'mixed' or null (not stated). */
    readonly ctPhantom: string | null;
  };
  readonly ssde: {
    readonly mgy: number | null;
    readonly method: string | null;
    readonly sizeCm: number | null;
    readonly constants: readonly ReferenceLevel[];
  };
  readonly ctdivolSequencesMgy: readonly number[] | null;
  readonly comparisons: readonly DrlComparison[];
}

export interface DrlComparison {
  readonly scope: 'national' | 'local';
  readonly quantity: DrlQuantity;
  readonly observed: number;
  readonly referenceLevel: number;
  readonly ratio: number;
  readonly above: boolean;
  readonly sequencesCompared: number | null;
  readonly sequencesAbove: number | null;
  readonly reference: ReferenceLevel | null;
}

interface MetricsRow {
  computed_at: Date;
  effective_dose_msv: number | null;
  effective_dose_method: string | null;
  effective_dose_missing_reason: string | null;
  effective_dose_reference_value_ids: string[] | null;
  k_body_region: string | null;
  age_band: string | null;
  ct_phantom: string | null;
  ctdivol_sequences_mgy: number[] | null;
  ssde_mgy: number | null;
  ssde_method: string | null;
  ssde_size_cm: number | null;
  ssde_reference_value_ids: string[] | null;
}

interface ComparisonRow {
  scope: 'national' | 'local';
  quantity: DrlQuantity;
  reference_value_id: string;
  observed: number;
  reference_level: number;
  ratio: number;
  above: boolean;
  sequences_compared: number | null;
  sequences_above: number | null;
}

/** The metrics of a study of these trusts, or undefined (none computed, or another trust's study). */
export async function studyDoseMetrics(
  db: QueryRunner,
  studyId: number,
  trustIds: readonly number[],
): Promise<StudyDoseMetrics | undefined> {
  const { rows } = await db.query<MetricsRow>(sql`
    SELECT m.* FROM study_dose_metrics m JOIN studies s ON s.study_id = m.study_id
    WHERE m.study_id = ${studyId} AND s.trust_id = ANY(${trustIds}::bigint[])`);
  const m = rows[0];
  if (!m) return undefined;
  const { rows: comparisons } = await db.query<ComparisonRow>(sql`
    SELECT scope, quantity, reference_value_id, observed, reference_level, ratio, above, sequences_compared, sequences_above
    FROM study_drl_comparisons WHERE study_id = ${studyId} ORDER BY scope, quantity`);
  const ids = (list: string[] | null) => (list ?? []).map(Number);
  const levels = await referenceLevelsById(db, [
    ...ids(m.effective_dose_reference_value_ids),
    ...ids(m.ssde_reference_value_ids),
    ...comparisons.map((c) => Number(c.reference_value_id)),
  ]);
  const pick = (list: string[] | null) => ids(list).flatMap((id) => levels.get(id) ?? []);
  return {
    studyId,
    computedAt: m.computed_at.toISOString(),
    effectiveDose: {
      msv: m.effective_dose_msv,
      method: m.effective_dose_method,
      missingReason: m.effective_dose_missing_reason,
      factors: pick(m.effective_dose_reference_value_ids),
      kBodyRegion: m.k_body_region,
      ageBand: m.age_band,
      ctPhantom: m.ct_phantom,
    },
    ssde: {
      mgy: m.ssde_mgy,
      method: m.ssde_method,
      sizeCm: m.ssde_size_cm,
      constants: pick(m.ssde_reference_value_ids),
    },
    ctdivolSequencesMgy: m.ctdivol_sequences_mgy,
    comparisons: comparisons.map((c) => ({
      scope: c.scope,
      quantity: c.quantity,
      observed: c.observed,
      referenceLevel: c.reference_level,
      ratio: c.ratio,
      above: c.above,
      sequencesCompared: c.sequences_compared,
      sequencesAbove: c.sequences_above,
      reference: levels.get(Number(c.reference_value_id)) ?? null,
    })),
  };
}
