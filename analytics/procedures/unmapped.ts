import type { QueryRunner } from '../../core/index.ts';
import { STUDY_DESCRIPTION_SQL } from './mapping.ts';
import type { UnmappedFilter, UnmappedList } from './types.ts';

/**
 * Descriptions no rule matches, with their modality and trust, biggest first: the physicists'
 * work list. Only the caller's trusts. Excluded studies (a rule without a standard procedure, e.g.
 * quality control) are decided, so they are not listed. Reads the partial index
 * studies_unmatched_idx (migration 0017), which holds the unmatched studies only.
 */
export async function unmappedDescriptions(
  db: QueryRunner,
  filter: UnmappedFilter,
  timeZone: string,
): Promise<UnmappedList> {
  const values: unknown[] = [filter.trustIds];
  const add = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ['s.standard_procedure_code IS NULL', 's.procedure_rule_id IS NULL', 's.trust_id = ANY ($1::bigint[])'];
  if (filter.trustCode !== undefined) where.push(`t.code = ${add(filter.trustCode)}`);
  if (filter.modalities?.length) where.push(`s.modality = ANY (${add(filter.modalities)}::text[])`);
  if (filter.fromDate !== undefined || filter.toDate !== undefined) {
    const zone = add(timeZone);
    if (filter.fromDate !== undefined)
      where.push(`s.study_datetime >= (${add(filter.fromDate)}::date)::timestamp AT TIME ZONE ${zone}`);
    if (filter.toDate !== undefined)
      where.push(`s.study_datetime < (${add(filter.toDate)}::date + 1)::timestamp AT TIME ZONE ${zone}`);
  }
  const { rows } = await db.query<{
    trust_code: string;
    modality: string;
    description: string | null;
    studies: number;
    first_at: Date | null;
    last_at: Date | null;
    total_studies: number;
    total_descriptions: number;
  }>({
    text: `
    SELECT t.code AS trust_code, s.modality, ${STUDY_DESCRIPTION_SQL} AS description, count(*) AS studies,
           min(s.study_datetime) AS first_at, max(s.study_datetime) AS last_at,
           sum(count(*)) OVER () AS total_studies, count(*) OVER () AS total_descriptions
    FROM studies s JOIN trusts t ON t.trust_id = s.trust_id
    WHERE ${where.join(' AND ')}
    GROUP BY t.code, s.modality, ${STUDY_DESCRIPTION_SQL}
    ORDER BY studies DESC, t.code, s.modality, description NULLS LAST
    LIMIT ${add(filter.limit)}`,
    values,
  });
  return {
    items: rows.map((r) => ({
      trustCode: r.trust_code,
      modality: r.modality,
      description: r.description,
      studies: r.studies,
      firstStudyAt: r.first_at?.toISOString() ?? null,
      lastStudyAt: r.last_at?.toISOString() ?? null,
    })),
    totalStudies: rows[0]?.total_studies ?? 0,
    totalDescriptions: rows[0]?.total_descriptions ?? 0,
  };
}
