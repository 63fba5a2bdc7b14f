import { sql, type QueryRunner } from '../../core/index.ts';
import type { MatchedStudy, SizeUpdate } from './plan.ts';

/** SQL of the patient size import: trusts by code, the studies a file's keys match, the update. */

export async function trustIdsByCode(db: QueryRunner): Promise<Map<string, number>> {
  const { rows } = await db.query<{ trust_id: string; code: string }>(sql`SELECT trust_id, code FROM trusts`);
  return new Map(rows.map((r) => [r.code, Number(r.trust_id)]));
}

export interface StudyMatch extends MatchedStudy {
  readonly accessionHash: string | null;
  readonly studyInstanceUid: string;
}

/**
 * The studies whose accession hash or Study Instance UID is one of the file's, in the caller's
 * trusts (`trustIds` null: every trust, for the operator's command line). With `lock`, the rows are
 * locked until the transaction ends, in Study Instance UID order like ingest locks them, so an
 * ingest of the same study waits instead of racing the import, and the two never deadlock.
 */
export async function matchStudies(
  db: QueryRunner,
  keys: { readonly accessionHashes: readonly string[]; readonly studyUids: readonly string[] },
  trustIds: readonly number[] | null,
  lock: boolean,
): Promise<StudyMatch[]> {
  if (keys.accessionHashes.length === 0 && keys.studyUids.length === 0) return [];
  const { rows } = await db.query<{
    study_id: string;
    accession_hash: string | null;
    study_instance_uid: string;
    patient_height_m: number | null;
    patient_weight_kg: number | null;
    patient_height_source: 'imported' | null;
    patient_weight_source: 'imported' | null;
  }>({
    text: `
      SELECT s.study_id, s.accession_hash, s.study_instance_uid, s.patient_height_m, s.patient_weight_kg,
             s.patient_height_source, s.patient_weight_source
        FROM studies s
       WHERE (s.accession_hash = ANY($1::text[]) OR s.study_instance_uid = ANY($2::text[]))
         AND ($3::bigint[] IS NULL OR s.trust_id = ANY($3::bigint[]))
       ORDER BY s.study_instance_uid
       ${lock ? 'FOR UPDATE OF s' : ''}`,
    values: [keys.accessionHashes, keys.studyUids, trustIds],
  });
  return rows.map((r) => ({
    studyId: Number(r.study_id),
    accessionHash: r.accession_hash,
    studyInstanceUid: r.study_instance_uid,
    heightM: r.patient_height_m,
    weightKg: r.patient_weight_kg,
    heightSource: r.patient_height_source,
    weightSource: r.patient_weight_source,
  }));
}

/**
 * Writes the planned sizes, marked 'imported'. The CASEs restate the rule the plan follows, so that
 * the statement alone can never overwrite a value read from the dose objects: a quantity is written
 * only where it is missing or came from an earlier import.
 */
export async function applySizes(db: QueryRunner, updates: readonly SizeUpdate[]): Promise<number[]> {
  if (updates.length === 0) return [];
  const { rows } = await db.query<{ study_id: string }>({
    text: `
      WITH planned AS (
        SELECT t.study_id, t.height_m, t.weight_kg
          FROM json_to_recordset($1::json) AS t(study_id bigint, height_m double precision, weight_kg double precision)
      ), decided AS (
        SELECT p.study_id,
               p.height_m IS NOT NULL AND (s.patient_height_m IS NULL OR s.patient_height_source = 'imported') AS set_height,
               p.weight_kg IS NOT NULL AND (s.patient_weight_kg IS NULL OR s.patient_weight_source = 'imported') AS set_weight,
               p.height_m, p.weight_kg
          FROM planned p JOIN studies s ON s.study_id = p.study_id
      )
      UPDATE studies s SET
        patient_height_m = CASE WHEN d.set_height THEN d.height_m ELSE s.patient_height_m END,
        patient_height_source = CASE WHEN d.set_height THEN 'imported' ELSE s.patient_height_source END,
        patient_weight_kg = CASE WHEN d.set_weight THEN d.weight_kg ELSE s.patient_weight_kg END,
        patient_weight_source = CASE WHEN d.set_weight THEN 'imported' ELSE s.patient_weight_source END,
        updated_at = now()
        FROM decided d
       WHERE s.study_id = d.study_id AND (d.set_height OR d.set_weight)
      RETURNING s.study_id`,
    values: [
      JSON.stringify(
        updates.map((u) => ({ study_id: u.studyId, height_m: u.heightM ?? null, weight_kg: u.weightKg ?? null })),
      ),
    ],
  });
  return rows.map((r) => Number(r.study_id)).sort((a, b) => a - b);
}
