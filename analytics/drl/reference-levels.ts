import { sql, type QueryRunner } from '../../core/index.ts';
import type { ReferenceLevel } from './types.ts';

interface Row {
  reference_value_id: string;
  value: number;
  status: 'C' | 'S';
  status_note: string | null;
  set_key: string;
  title: string;
  edition: string;
  publisher: string;
  source_title: string;
  source_url: string | null;
  trust_code: string | null;
}

/** The reference values with these ids and the edition each belongs to, by id. */
export async function referenceLevelsById(
  db: QueryRunner,
  ids: ReadonlyArray<number | null | undefined>,
): Promise<Map<number, ReferenceLevel>> {
  const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
  const found = new Map<number, ReferenceLevel>();
  if (wanted.length === 0) return found;
  const { rows } = await db.query<Row>(sql`
    SELECT rv.reference_value_id, rv.value, rv.status, rv.status_note, rs.set_key, rs.title, rs.edition,
           rs.publisher, rs.source_title, rs.source_url, t.code AS trust_code
    FROM reference_values rv
    JOIN reference_sets rs ON rs.reference_set_id = rv.reference_set_id
    LEFT JOIN trusts t ON t.trust_id = rs.trust_id
    WHERE rv.reference_value_id = ANY(${wanted}::bigint[])`);
  for (const r of rows) {
    found.set(Number(r.reference_value_id), {
      referenceValueId: Number(r.reference_value_id),
      value: r.value,
      status: r.status,
      statusNote: r.status_note ?? (r.status === 'S' ? 'verify against primary' : null),
      setKey: r.set_key,
      setTitle: r.title,
      edition: r.edition,
      publisher: r.publisher,
      sourceTitle: r.source_title,
      sourceUrl: r.source_url,
      trustCode: r.trust_code,
    });
  }
  return found;
}
