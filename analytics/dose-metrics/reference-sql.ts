/**
 * The reference figures a recompute uses, as SQL common table expressions over the *current*
 * editions (superseded_by IS NULL). Where several current rows could serve (two k-factor sets
 * loaded, two FDG coefficients in one set), the first loaded wins (lowest set, then value id): a
 * physicist changes the figure in use by superseding its set, never by loading a rival beside it,
 * so a result does not change because of an unrelated import. Every row chosen keeps its
 * reference_value_id, which is what each stored metric and comparison records.
 */
export const CURRENT_REFERENCE_CTES = `
  current_values AS MATERIALIZED (
    SELECT rv.reference_value_id, rv.reference_set_id, rv.value_key, rv.drl_category, rv.body_region,
           rv.age_band, rv.quantity, rv.value, rv.attributes, rs.kind, rs.trust_id AS set_trust_id
    FROM reference_values rv
    JOIN reference_sets rs ON rs.reference_set_id = rv.reference_set_id
    WHERE rs.superseded_by IS NULL
  ),
  k_factors AS (
    SELECT DISTINCT ON (lower(body_region), lower(age_band))
           lower(body_region) AS k_region, lower(age_band) AS age_band, reference_value_id, value
    FROM current_values
    WHERE quantity = 'k_msv_per_mgycm' AND body_region IS NOT NULL AND age_band IS NOT NULL
    ORDER BY lower(body_region), lower(age_band), reference_set_id, reference_value_id
  ),
  ssde_constants AS (
    SELECT a.phantom_cm, a.value AS a, a.reference_value_id AS a_id, b.value AS b_per_cm, b.reference_value_id AS b_id
    FROM (SELECT DISTINCT ON (phantom_cm) phantom_cm, value, reference_value_id
          FROM (SELECT *, ${phantomCmOf('current_values')} AS phantom_cm FROM current_values WHERE quantity = 'ssde_a') x
          WHERE phantom_cm IS NOT NULL ORDER BY phantom_cm, reference_set_id, reference_value_id) a
    JOIN (SELECT DISTINCT ON (phantom_cm) phantom_cm, value, reference_value_id
          FROM (SELECT *, ${phantomCmOf('current_values')} AS phantom_cm FROM current_values WHERE quantity = 'ssde_b_per_cm') x
          WHERE phantom_cm IS NOT NULL ORDER BY phantom_cm, reference_set_id, reference_value_id) b
      ON b.phantom_cm = a.phantom_cm
  ),
  nm_coefficients AS (
    SELECT DISTINCT ON (name_key) name_key, reference_value_id, value
    FROM (SELECT *, lower(regexp_replace(attributes->>'radiopharmaceutical', '[^A-Za-z0-9]', '', 'g')) AS name_key
          FROM current_values WHERE quantity = 'e_msv_per_mbq') x
    WHERE name_key IS NOT NULL AND name_key <> ''
    ORDER BY name_key, reference_set_id, reference_value_id
  ),
  dap_factors AS (
    SELECT DISTINCT ON (drl_category) drl_category, reference_value_id, value
    FROM current_values
    WHERE quantity = 'e_msv_per_gycm2' AND drl_category IS NOT NULL
    ORDER BY drl_category, reference_set_id, reference_value_id
  ),
  national_drls AS (
    SELECT DISTINCT ON (drl_category, quantity) drl_category, quantity, reference_value_id, value
    FROM current_values
    WHERE kind = 'national-drl' AND drl_category IS NOT NULL AND quantity IN ('ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2')
    ORDER BY drl_category, quantity, reference_set_id, reference_value_id
  ),
  local_drls AS (
    SELECT DISTINCT ON (drl_category, quantity, set_trust_id) drl_category, quantity, set_trust_id,
           reference_value_id, value
    FROM current_values
    WHERE kind = 'local-drl' AND drl_category IS NOT NULL AND quantity IN ('ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2')
    ORDER BY drl_category, quantity, set_trust_id, reference_set_id, reference_value_id
  )`;

/**
 * The CTDIvol phantom (16 or 32 cm) an SSDE constant belongs to: attributes.phantom_cm when the
 * set states it, else the 16 or 32 in its value key ("phantom_32cm"), else its body region
 * ('head' = 16 cm, 'body' = 32 cm phantom).
 */
function phantomCmOf(alias: string): string {
  return `coalesce(
    CASE WHEN ${alias}.attributes->>'phantom_cm' IN ('16', '32') THEN (${alias}.attributes->>'phantom_cm')::integer END,
    (substring(${alias}.value_key FROM '(16|32)'))::integer,
    CASE lower(${alias}.body_region) WHEN 'head' THEN 16 WHEN 'body' THEN 32 END)`;
}
