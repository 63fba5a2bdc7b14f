import type { NumberRange, StudyBrowserActor, StudyFilters } from './types.ts';

/**
 * The WHERE clause of the study browser, shared by the page query and the count so both always
 * count the same rows. Every value is a `$n` parameter; only fixed column names are spliced in.
 * The caller's trusts are always the first condition: scoping lives here, not in routes.
 */
export class Parameters {
  readonly values: unknown[] = [];
  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** "Contains" for ILIKE: the user's % _ and \ are literal characters, not wildcards. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function range(column: string, r: NumberRange | undefined, p: Parameters): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.min !== undefined) out.push(`${column} >= ${p.add(r.min)}`);
  if (r.max !== undefined) out.push(`${column} <= ${p.add(r.max)}`);
  return out;
}

function maxCtdivol(r: NumberRange | undefined, p: Parameters): string[] {
  const bounds = range('max(e.ctdivol_mgy)', r, p);
  if (bounds.length === 0) return [];
  return [
    `EXISTS (SELECT 1 FROM irradiation_events e WHERE e.study_id = s.study_id
             GROUP BY e.study_id HAVING ${bounds.join(' AND ')})`,
  ];
}

/** Conditions on `studies s` for these filters, as seen by this actor. */
export function filterConditions(
  actor: StudyBrowserActor,
  filters: StudyFilters,
  timeZone: string,
  p: Parameters,
): string[] {
  const where = [`s.trust_id = ANY(${p.add(actor.trustIds)}::bigint[])`];
  const f = filters;
  if (f.trust !== undefined) where.push(`s.trust_id = (SELECT trust_id FROM trusts WHERE code = ${p.add(f.trust)})`);
  if (f.deviceId !== undefined) where.push(`s.device_id = ${p.add(f.deviceId)}`);
  if (f.modalities?.length) where.push(`s.modality = ANY(${p.add(f.modalities)}::text[])`);
  // Days are the region's days: a study at 00:30 local time on the 1st belongs to the 1st.
  if (f.fromDate !== undefined || f.toDate !== undefined) {
    const zone = p.add(timeZone);
    if (f.fromDate !== undefined)
      where.push(`s.study_datetime >= (${p.add(f.fromDate)}::date)::timestamp AT TIME ZONE ${zone}`);
    if (f.toDate !== undefined)
      where.push(`s.study_datetime < (${p.add(f.toDate)}::date + 1)::timestamp AT TIME ZONE ${zone}`);
  }
  if (f.description !== undefined) where.push(`s.study_description ILIKE ${p.add(containsPattern(f.description))}`);
  if (f.procedure !== undefined) where.push(`s.requested_procedure ILIKE ${p.add(containsPattern(f.procedure))}`);
  if (f.protocol !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM irradiation_events e WHERE e.study_id = s.study_id
                        AND e.acquisition_protocol ILIKE ${p.add(containsPattern(f.protocol))})`);
  }
  if (f.sex !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM patients pt WHERE pt.patient_id = s.patient_id AND pt.sex = ${p.add(f.sex)})`);
  }
  if (f.standardProcedure !== undefined) where.push(`s.standard_procedure_code = ${p.add(f.standardProcedure)}`);
  if (f.patientsOnly) where.push('NOT s.not_patient');
  const weight = range('s.patient_weight_kg', f.weightKg, p);
  if (weight.length > 0 && f.weightUnknown === 'include')
    where.push(`(s.patient_weight_kg IS NULL OR (${weight.join(' AND ')}))`);
  else where.push(...weight);
  where.push(
    ...range('s.patient_age_years', f.ageYears, p),
    ...range('s.total_dlp_mgycm', f.totalDlpMgyCm, p),
    ...maxCtdivol(f.maxCtdivolMgy, p),
    ...range('s.total_dap_gycm2', f.totalDapGyCm2, p),
    ...range('s.total_dose_rp_gy', f.totalDoseRpGy, p),
    ...range('s.event_count', f.eventCount, p),
  );
  return where;
}
