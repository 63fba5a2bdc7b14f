import type { ParameterSink, WeightBand } from './types.ts';

/**
 * The common table expressions behind every room median, shared by the live compliance query and
 * the stored local DRL runs so both count the same studies the same way:
 * - `drl_sample`: patient studies (not QA or phantom exposures) of a room (device), mapped to a
 *   standard procedure that has a DRL category, whose weight is in the band when it is known;
 * - `drl_values`: their values, DLP and DAP per exam, CTDIvol per sequence (localizers excluded,
 *   from study_dose_metrics, which the recompute fills);
 * - `room_stats`: per procedure, quantity and room: sample size, studies, and min, quartiles and
 *   max by percentile_cont (linear interpolation between order statistics: Hyndman and Fan type 7,
 *   the rule of numpy's default and spreadsheet QUARTILE.INC);
 * - `room_quartiles`: the third quartile of the medians of the rooms meeting the minimum sample.
 */
export function roomStatisticsCtes(
  p: ParameterSink,
  conditions: readonly string[],
  band: WeightBand,
  minSample: number,
): string {
  const weight: string[] = [];
  if (band.minKg !== null) weight.push(`s.patient_weight_kg >= ${p.add(band.minKg)}`);
  if (band.maxKg !== null) weight.push(`s.patient_weight_kg <= ${p.add(band.maxKg)}`);
  const weightCondition = weight.length ? `(s.patient_weight_kg IS NULL OR (${weight.join(' AND ')}))` : 'true';
  const min = p.add(minSample);
  return `
  drl_sample AS MATERIALIZED (
    SELECT s.study_id, s.device_id, s.standard_procedure_code, s.modality, s.total_dlp_mgycm, s.total_dap_gycm2,
           m.ctdivol_sequences_mgy
    FROM studies s
    JOIN standard_procedures sp ON sp.code = s.standard_procedure_code AND sp.drl_category IS NOT NULL
    LEFT JOIN study_dose_metrics m ON m.study_id = s.study_id AND s.modality = 'CT'
    WHERE ${[...conditions, 's.standard_procedure_code IS NOT NULL', 's.device_id IS NOT NULL', 'NOT s.not_patient', weightCondition].join(' AND ')}
  ),
  drl_values AS (
    SELECT standard_procedure_code, device_id, study_id, 'dlp_mgycm' AS quantity, total_dlp_mgycm AS v
    FROM drl_sample WHERE modality = 'CT' AND total_dlp_mgycm IS NOT NULL
    UNION ALL
    SELECT d.standard_procedure_code, d.device_id, d.study_id, 'ctdivol_mgy', u.v
    FROM drl_sample d CROSS JOIN LATERAL unnest(d.ctdivol_sequences_mgy) AS u (v)
    WHERE d.modality = 'CT'
    UNION ALL
    SELECT standard_procedure_code, device_id, study_id, 'dap_gycm2', total_dap_gycm2
    FROM drl_sample WHERE modality <> 'CT' AND total_dap_gycm2 IS NOT NULL
  ),
  room_stats AS MATERIALIZED (
    SELECT standard_procedure_code, quantity, device_id, count(*)::integer AS sample_size,
           count(DISTINCT study_id)::integer AS studies,
           percentile_cont(ARRAY[0, 0.25, 0.5, 0.75, 1]::double precision[]) WITHIN GROUP (ORDER BY v) AS q,
           count(*) >= ${min} AS meets_minimum_sample
    FROM drl_values GROUP BY standard_procedure_code, quantity, device_id
  ),
  room_quartiles AS (
    SELECT standard_procedure_code, quantity,
           count(*) FILTER (WHERE meets_minimum_sample)::integer AS rooms,
           count(*) FILTER (WHERE NOT meets_minimum_sample)::integer AS rooms_below_minimum,
           sum(sample_size)::integer AS sample_size,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY q[3]) FILTER (WHERE meets_minimum_sample) AS third_quartile
    FROM room_stats GROUP BY standard_procedure_code, quantity
  )`;
}

/** Condition on `studies s`: study time within the days from..to (inclusive) of the region's zone. */
export function periodConditions(p: ParameterSink, from: string, to: string, timeZone: string): string[] {
  const zone = p.add(timeZone);
  return [
    `s.study_datetime >= (${p.add(from)}::date)::timestamp AT TIME ZONE ${zone}`,
    `s.study_datetime < (${p.add(to)}::date + 1)::timestamp AT TIME ZONE ${zone}`,
  ];
}
