import { AGE_BANDS, K_REGION_OF_BODY_PART } from './regions.ts';
import { agentSpellingPairs } from './radiopharmaceuticals.ts';
import { CURRENT_REFERENCE_CTES } from './reference-sql.ts';

/** `$n` placeholders for one statement's values (every value a parameter, never spliced in). */
export class SqlParameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A number from an event's normalised details (ingest keeps the whole event), NULL unless a JSON number. */
const detailNumber = (key: string) =>
  `CASE WHEN jsonb_typeof(e.details->'${key}') = 'number' THEN (e.details->>'${key}')::double precision END`;

/** DICOM CT Acquisition Type "Constant Angle Acquisition" (DCM 113805): a localizer, not a sequence. */
const LOCALIZER = '113805';

/**
 * The CTDIw phantom of an event: DCM 113690 IEC Head Dosimetry Phantom (16 cm) or 113691 IEC Body
 * Dosimetry Phantom (32 cm), by code or, for senders that only give the meaning, by its wording.
 */
const PHANTOM_CM = `CASE
    WHEN e.details->'ctdiwPhantomType'->>'value' = '113690' OR e.details->'ctdiwPhantomType'->>'meaning' ILIKE '%head%' THEN 16
    WHEN e.details->'ctdiwPhantomType'->>'value' = '113691' OR e.details->'ctdiwPhantomType'->>'meaning' ILIKE '%body%' THEN 32
  END`;

function ageBandCase(p: SqlParameters): string {
  const branches = AGE_BANDS.map((b) =>
    b.belowYears === null
      ? `ELSE ${p.add(b.band)}`
      : `WHEN s.patient_age_years < ${p.add(b.belowYears)} THEN ${p.add(b.band)}`,
  );
  return `CASE WHEN s.patient_age_years IS NULL OR s.patient_age_years < 0 THEN NULL ${branches.join(' ')} END`;
}

/** Which studies a statement recomputes. */
export type RecomputeScope =
  { readonly studyIds: readonly number[] } | { readonly fromId: number; readonly toId: number };

/**
 * The scope as a condition on a study_id column. It is repeated on the events, not only on the
 * studies: the events table is partitioned by time, and only a condition on its own study_id lets
 * each partition use its study index instead of being read whole for a few hundred studies.
 */
function scopeCondition(scope: RecomputeScope, column: string, placeholders: readonly string[]): string {
  if ('studyIds' in scope) return `${column} = ANY(${placeholders[0]}::bigint[])`;
  return `${column} >= ${placeholders[0]} AND ${column} < ${placeholders[1]}`;
}

function scopePlaceholders(scope: RecomputeScope, p: SqlParameters): string[] {
  return 'studyIds' in scope ? [p.add(scope.studyIds)] : [p.add(scope.fromId), p.add(scope.toId)];
}

/** The inputs of each study and what its CT sequences and NM administrations give. */
function inputCtes(scope: RecomputeScope, p: SqlParameters): string {
  const parts = Object.keys(K_REGION_OF_BODY_PART);
  const regions = parts.map((part) => K_REGION_OF_BODY_PART[part]);
  const agents = agentSpellingPairs();
  const at = scopePlaceholders(scope, p);
  return `
  regions (body_part_key, k_region) AS (SELECT * FROM unnest(${p.add(parts)}::text[], ${p.add(regions)}::text[])),
  spellings (spelling_key, name_key) AS (SELECT * FROM unnest(${p.add(agents.spellings)}::text[], ${p.add(agents.names)}::text[])),
  target AS MATERIALIZED (
    SELECT s.study_id, s.trust_id, s.modality, s.not_patient, s.total_dlp_mgycm, s.total_dap_gycm2,
           s.standard_procedure_code, sp.drl_category, r.k_region, ${ageBandCase(p)} AS age_band
    FROM studies s
    LEFT JOIN standard_procedures sp ON sp.code = s.standard_procedure_code
    LEFT JOIN regions r ON r.body_part_key = upper(regexp_replace(sp.body_region, '[^A-Za-z0-9]', '', 'g'))
    WHERE ${scopeCondition(scope, 's.study_id', at)}
  ),
  ct_events AS MATERIALIZED (
    SELECT e.study_id, e.event_id, e.occurred_at, e.ctdivol_mgy, ${PHANTOM_CM} AS phantom_cm,
           ${detailNumber('waterEquivalentDiameterMm')} / 10 AS dw_cm,
           ${detailNumber('effectiveDiameterMm')} / 10 AS deff_cm,
           ${detailNumber('sizeSpecificDoseEstimateMgy')} AS device_ssde_mgy,
           (t.k_region = 'head' OR coalesce(e.target_region, '') ~* '(head|brain|skull)') AS head_scan
    FROM target t
    JOIN irradiation_events e ON e.study_id = t.study_id
    WHERE ${scopeCondition(scope, 'e.study_id', at)} AND e.event_kind = 'ct' AND e.ctdivol_mgy IS NOT NULL
      AND coalesce(e.details->'ctAcquisitionType'->>'value', '') <> ${p.add(LOCALIZER)}
  ),
  ct_sized AS (
    SELECT ce.*, c.a, c.b_per_cm, c.a_id, c.b_id,
           CASE WHEN ce.dw_cm > 0 THEN ce.dw_cm WHEN ce.deff_cm > 0 THEN ce.deff_cm END AS size_cm,
           CASE WHEN ce.dw_cm > 0 THEN 'aapm-220-water-equivalent-diameter'
                WHEN ce.deff_cm > 0 THEN 'aapm-204-effective-diameter' END AS size_method
    FROM ct_events ce
    LEFT JOIN ssde_constants c ON c.phantom_cm = ce.phantom_cm AND NOT ce.head_scan
  ),
  ct_ssde AS (
    SELECT study_id,
           coalesce(ctdivol_mgy * a * exp(-b_per_cm * size_cm), device_ssde_mgy) AS ssde_mgy,
           CASE WHEN a IS NOT NULL AND size_cm IS NOT NULL THEN size_method
                WHEN device_ssde_mgy IS NOT NULL THEN 'device-reported' END AS ssde_method,
           CASE WHEN a IS NOT NULL AND size_cm IS NOT NULL THEN size_cm END AS ssde_size_cm,
           CASE WHEN a IS NOT NULL AND size_cm IS NOT NULL THEN ARRAY[a_id, b_id] END AS ssde_ids
    FROM ct_sized
  ),
  ct_best_ssde AS (
    SELECT DISTINCT ON (study_id) * FROM ct_ssde WHERE ssde_mgy IS NOT NULL ORDER BY study_id, ssde_mgy DESC
  ),
  ct_summary AS (
    SELECT study_id,
           array_agg(ctdivol_mgy ORDER BY occurred_at, event_id) AS sequences,
           max(ctdivol_mgy) AS max_ctdivol,
           CASE count(DISTINCT phantom_cm) WHEN 0 THEN NULL WHEN 1 THEN min(phantom_cm) || 'cm' ELSE 'mixed' END AS phantom
    FROM ct_events GROUP BY study_id
  ),
  nm AS (
    SELECT e.study_id, count(*) AS administrations, count(c.reference_value_id) AS with_coefficient,
           count(e.administered_activity_mbq) AS with_activity,
           sum(c.value * e.administered_activity_mbq) AS effective_dose_msv,
           array_agg(DISTINCT c.reference_value_id) FILTER (WHERE c.reference_value_id IS NOT NULL) AS ids
    FROM target t
    JOIN irradiation_events e ON e.study_id = t.study_id AND e.event_kind = 'radiopharmaceutical'
                             AND ${scopeCondition(scope, 'e.study_id', at)}
    CROSS JOIN LATERAL (SELECT lower(regexp_replace(coalesce(e.details->'radiopharmaceuticalAgent'->>'meaning',
                          e.details->>'radiopharmaceuticalAgentString', e.acquisition_protocol, ''),
                          '[^A-Za-z0-9]', '', 'g')) AS agent_key) a
    LEFT JOIN spellings sp ON sp.spelling_key = a.agent_key
    LEFT JOIN nm_coefficients c ON c.name_key = coalesce(sp.name_key, a.agent_key)
    GROUP BY e.study_id
  )`;
}

/**
 * Each study's effective dose estimate, or the first reason it has none. CT: k(region of the
 * standard procedure, age band) × DLP per exam; NM and PET: Σ (E/A of the agent) × activity over the
 * administrations (none missing); projection: (E/P_KA of the DRL category) × DAP per exam.
 */
const ESTIMATE_CTE = `
  estimate AS (
    SELECT t.study_id, t.k_region, t.age_band,
      CASE
        WHEN t.not_patient THEN NULL
        WHEN t.modality = 'CT' THEN k.value * t.total_dlp_mgycm
        WHEN t.modality IN ('NM', 'PT') THEN
          CASE WHEN nm.with_coefficient = nm.administrations AND nm.with_activity = nm.administrations
               THEN nm.effective_dose_msv END
        ELSE f.value * t.total_dap_gycm2
      END AS effective_dose_msv,
      CASE
        WHEN t.not_patient THEN 'not-patient'
        WHEN t.modality = 'CT' THEN
          CASE WHEN t.standard_procedure_code IS NULL THEN 'unmapped'
               WHEN t.k_region IS NULL THEN 'no-k-factor-region'
               WHEN t.total_dlp_mgycm IS NULL THEN 'dlp-unknown'
               WHEN t.age_band IS NULL THEN 'age-unknown'
               WHEN k.reference_value_id IS NULL THEN 'no-k-factor' END
        WHEN t.modality IN ('NM', 'PT') THEN
          CASE WHEN nm.administrations IS NULL THEN 'no-administration'
               WHEN nm.with_coefficient < nm.administrations THEN 'no-coefficient'
               WHEN nm.with_activity < nm.administrations THEN 'activity-unknown' END
        ELSE
          CASE WHEN t.standard_procedure_code IS NULL THEN 'unmapped'
               WHEN f.reference_value_id IS NULL THEN 'no-dap-factor'
               WHEN t.total_dap_gycm2 IS NULL THEN 'dap-unknown' END
      END AS missing_reason,
      CASE WHEN t.modality = 'CT' THEN 'ct-k-factor' WHEN t.modality IN ('NM', 'PT') THEN 'nm-per-mbq'
           ELSE 'dap-conversion' END AS method,
      CASE WHEN t.modality = 'CT' THEN ARRAY[k.reference_value_id] WHEN t.modality IN ('NM', 'PT') THEN nm.ids
           ELSE ARRAY[f.reference_value_id] END AS ids
    FROM target t
    LEFT JOIN k_factors k ON t.modality = 'CT' AND k.k_region = t.k_region AND k.age_band = t.age_band
    LEFT JOIN nm ON nm.study_id = t.study_id
    LEFT JOIN dap_factors f ON t.modality NOT IN ('CT', 'NM', 'PT') AND f.drl_category = t.drl_category
  )`;

/**
 * The DRL comparisons of each mapped patient study whose standard procedure has a DRL category: CT
 * CTDIvol per sequence (the highest sequence decides, each sequence counted) and DLP per exam,
 * projection DAP per exam; national, and local (the study's trust's set before a consortium one).
 */
const COMPARISON_CTES = `
  observed AS (
    SELECT t.study_id, t.trust_id, t.drl_category, o.quantity, o.observed, o.sequences
    FROM target t
    LEFT JOIN ct_summary cs ON cs.study_id = t.study_id
    CROSS JOIN LATERAL (VALUES
      ('dlp_mgycm', CASE WHEN t.modality = 'CT' THEN t.total_dlp_mgycm END, NULL::double precision[]),
      ('ctdivol_mgy', cs.max_ctdivol, cs.sequences),
      ('dap_gycm2', CASE WHEN t.modality <> 'CT' THEN t.total_dap_gycm2 END, NULL::double precision[])
    ) AS o (quantity, observed, sequences)
    WHERE t.drl_category IS NOT NULL AND NOT t.not_patient AND o.observed IS NOT NULL
  ),
  comparisons AS (
    SELECT o.study_id, 'national' AS scope, o.quantity, n.reference_value_id, o.observed, n.value AS level, o.sequences
    FROM observed o
    JOIN national_drls n ON n.drl_category = o.drl_category AND n.quantity = o.quantity
    UNION ALL
    SELECT o.study_id, 'local', o.quantity, coalesce(lt.reference_value_id, lc.reference_value_id), o.observed,
           coalesce(lt.value, lc.value), o.sequences
    FROM observed o
    LEFT JOIN local_drls lt ON lt.drl_category = o.drl_category AND lt.quantity = o.quantity AND lt.set_trust_id = o.trust_id
    LEFT JOIN local_drls lc ON lc.drl_category = o.drl_category AND lc.quantity = o.quantity AND lc.set_trust_id IS NULL
    WHERE lt.reference_value_id IS NOT NULL OR lc.reference_value_id IS NOT NULL
  ),
  compared AS MATERIALIZED (
    SELECT c.study_id, c.scope, c.quantity, c.reference_value_id, c.observed, c.level,
           c.observed / c.level AS ratio, c.observed > c.level AS above,
           cardinality(c.sequences) AS sequences_compared,
           CASE WHEN c.sequences IS NOT NULL
                THEN (SELECT count(*) FROM unnest(c.sequences) AS v WHERE v > c.level)::integer END AS sequences_above
    FROM comparisons c WHERE c.level > 0
  ),
  flags AS (
    SELECT study_id, bool_or(above) FILTER (WHERE scope = 'national') AS above_national,
           bool_or(above) FILTER (WHERE scope = 'local') AS above_local
    FROM compared GROUP BY study_id
  )`;

const WRITE_CTES = `
  upserted AS (
    INSERT INTO study_dose_metrics AS m (study_id, computed_at, effective_dose_msv, effective_dose_method,
        effective_dose_reference_value_id, effective_dose_reference_value_ids, effective_dose_missing_reason,
        k_body_region, age_band, ct_phantom, ctdivol_sequences_mgy, ctdivol_max_mgy, ssde_mgy, ssde_method,
        ssde_size_cm, ssde_reference_value_ids, above_national_drl, above_local_drl)
    SELECT es.study_id, now(), es.effective_dose_msv,
           CASE WHEN es.effective_dose_msv IS NOT NULL THEN es.method END,
           CASE WHEN es.effective_dose_msv IS NOT NULL AND cardinality(es.ids) = 1 THEN es.ids[1] END,
           CASE WHEN es.effective_dose_msv IS NOT NULL THEN es.ids END,
           CASE WHEN es.effective_dose_msv IS NULL THEN coalesce(es.missing_reason, 'unknown') END,
           es.k_region, es.age_band, cs.phantom, cs.sequences, cs.max_ctdivol,
           bs.ssde_mgy, bs.ssde_method, bs.ssde_size_cm, bs.ssde_ids, fl.above_national, fl.above_local
    FROM estimate es
    LEFT JOIN ct_summary cs ON cs.study_id = es.study_id
    LEFT JOIN ct_best_ssde bs ON bs.study_id = es.study_id
    LEFT JOIN flags fl ON fl.study_id = es.study_id
    ON CONFLICT (study_id) DO UPDATE SET
      computed_at = EXCLUDED.computed_at, effective_dose_msv = EXCLUDED.effective_dose_msv,
      effective_dose_method = EXCLUDED.effective_dose_method,
      effective_dose_reference_value_id = EXCLUDED.effective_dose_reference_value_id,
      effective_dose_reference_value_ids = EXCLUDED.effective_dose_reference_value_ids,
      effective_dose_missing_reason = EXCLUDED.effective_dose_missing_reason,
      k_body_region = EXCLUDED.k_body_region, age_band = EXCLUDED.age_band, ct_phantom = EXCLUDED.ct_phantom,
      ctdivol_sequences_mgy = EXCLUDED.ctdivol_sequences_mgy, ctdivol_max_mgy = EXCLUDED.ctdivol_max_mgy,
      ssde_mgy = EXCLUDED.ssde_mgy, ssde_method = EXCLUDED.ssde_method, ssde_size_cm = EXCLUDED.ssde_size_cm,
      ssde_reference_value_ids = EXCLUDED.ssde_reference_value_ids,
      above_national_drl = EXCLUDED.above_national_drl, above_local_drl = EXCLUDED.above_local_drl
    RETURNING 1
  ),
  removed AS (
    DELETE FROM study_drl_comparisons d USING target t
    WHERE d.study_id = t.study_id
      AND NOT EXISTS (SELECT 1 FROM compared c WHERE c.study_id = d.study_id AND c.scope = d.scope AND c.quantity = d.quantity)
    RETURNING 1
  ),
  stored AS (
    INSERT INTO study_drl_comparisons (study_id, scope, quantity, reference_value_id, observed, reference_level,
        ratio, above, sequences_compared, sequences_above, computed_at)
    SELECT study_id, scope, quantity, reference_value_id, observed, level, ratio, above, sequences_compared,
           sequences_above, now()
    FROM compared
    ON CONFLICT (study_id, scope, quantity) DO UPDATE SET
      reference_value_id = EXCLUDED.reference_value_id, observed = EXCLUDED.observed,
      reference_level = EXCLUDED.reference_level, ratio = EXCLUDED.ratio, above = EXCLUDED.above,
      sequences_compared = EXCLUDED.sequences_compared, sequences_above = EXCLUDED.sequences_above,
      computed_at = EXCLUDED.computed_at
    RETURNING 1
  )`;

/**
 * One statement recomputes the metrics and comparisons of a set of studies, so readers never see a
 * study's metrics without its comparisons (data-modifying CTEs share one snapshot; the upsert and
 * the delete touch different comparison rows, so they never conflict).
 */
export function recomputeStatement(scope: RecomputeScope): { text: string; values: unknown[] } {
  const p = new SqlParameters();
  const text = `WITH ${CURRENT_REFERENCE_CTES}, ${inputCtes(scope, p)}, ${ESTIMATE_CTE}, ${COMPARISON_CTES}, ${WRITE_CTES}
    SELECT (SELECT count(*) FROM upserted)::integer AS metrics, (SELECT count(*) FROM stored)::integer AS comparisons,
           (SELECT count(*) FROM removed)::integer AS removed`;
  return { text, values: p.values };
}
