import { sql, type QueryRunner } from '../core/index.ts';
import type {
  ReferenceSetDocument,
  ReferenceSetKind,
  ReferenceSetSummary,
  ReferenceValueFilter,
  StoredReferenceValue,
} from './types.ts';
import type { Quantity, ReferenceStatus } from './vocabulary.ts';

// Plain SQL over reference_sets and reference_values (migration 0015). Snake_case columns become
// camelCase here and nowhere else.

interface SetRow {
  reference_set_id: number;
  set_key: string;
  kind: ReferenceSetKind;
  title: string;
  publisher: string;
  edition: string;
  effective_from: string | null;
  source_title: string;
  source_url: string | null;
  trust_code: string | null;
  builtin: boolean;
  loaded_at: string;
  loaded_by: string | null;
  superseded_by: number | null;
  superseded_at: string | null;
  value_count: number;
  secondary_count: number;
}

const toSummary = (r: SetRow): ReferenceSetSummary => ({
  referenceSetId: r.reference_set_id,
  setKey: r.set_key,
  kind: r.kind,
  title: r.title,
  publisher: r.publisher,
  edition: r.edition,
  effectiveFrom: r.effective_from,
  sourceTitle: r.source_title,
  sourceUrl: r.source_url,
  trustCode: r.trust_code,
  builtin: r.builtin,
  loadedAt: r.loaded_at,
  loadedBy: r.loaded_by,
  supersededBy: r.superseded_by,
  supersededAt: r.superseded_at,
  current: r.superseded_by === null,
  valueCount: r.value_count,
  secondaryCount: r.secondary_count,
});

export interface SetFilter {
  readonly referenceSetId?: number | undefined;
  readonly setKey?: string | undefined;
  readonly kind?: string | undefined;
  readonly currentOnly?: boolean | undefined;
}

/** Editions matching the filter: by set key, the current edition first, then newest loaded first. */
export async function selectSets(db: QueryRunner, filter: SetFilter = {}): Promise<ReferenceSetSummary[]> {
  const { rows } = await db.query<SetRow>(sql`
    SELECT s.reference_set_id, s.set_key, s.kind, s.title, s.publisher, s.edition,
           to_char(s.effective_from, 'YYYY-MM-DD') AS effective_from, s.source_title, s.source_url,
           t.code AS trust_code, s.builtin,
           to_char(s.loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS loaded_at, s.loaded_by,
           s.superseded_by,
           to_char(s.superseded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS superseded_at,
           (SELECT count(*) FROM reference_values v WHERE v.reference_set_id = s.reference_set_id)::int AS value_count,
           (SELECT count(*) FROM reference_values v
             WHERE v.reference_set_id = s.reference_set_id AND v.status = 'S')::int AS secondary_count
    FROM reference_sets s LEFT JOIN trusts t ON t.trust_id = s.trust_id
    WHERE (${filter.referenceSetId ?? null}::bigint IS NULL OR s.reference_set_id = ${filter.referenceSetId ?? null})
      AND (${filter.setKey ?? null}::text IS NULL OR s.set_key = ${filter.setKey ?? null})
      AND (${filter.kind ?? null}::text IS NULL OR s.kind = ${filter.kind ?? null})
      AND (NOT ${filter.currentOnly ?? false}::boolean OR s.superseded_by IS NULL)
    ORDER BY s.set_key, (s.superseded_by IS NULL) DESC, s.reference_set_id DESC`);
  return rows.map(toSummary);
}

export async function notesOfSet(db: QueryRunner, referenceSetId: number): Promise<string[]> {
  const { rows } = await db.query<{ notes: unknown }>(
    sql`SELECT document -> 'notes' AS notes FROM reference_sets WHERE reference_set_id = ${referenceSetId}`,
  );
  const notes = rows[0]?.notes;
  return Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [];
}

interface ValueRow {
  reference_value_id: number;
  reference_set_id: number;
  set_key: string;
  edition: string;
  kind: ReferenceSetKind;
  value_key: string;
  modality: string | null;
  drl_category: string | null;
  body_region: string | null;
  age_band: string | null;
  quantity: Quantity;
  value: number;
  status: ReferenceStatus;
  status_note: string | null;
  attributes: Record<string, unknown>;
}

const toValue = (r: ValueRow): StoredReferenceValue => ({
  referenceValueId: r.reference_value_id,
  referenceSetId: r.reference_set_id,
  setKey: r.set_key,
  edition: r.edition,
  kind: r.kind,
  valueKey: r.value_key,
  modality: r.modality,
  drlCategory: r.drl_category,
  bodyRegion: r.body_region,
  ageBand: r.age_band,
  quantity: r.quantity,
  value: r.value,
  status: r.status,
  statusNote: r.status_note,
  attributes: r.attributes,
});

const VALUE_COLUMNS = `v.reference_value_id, v.reference_set_id, s.set_key, s.edition, s.kind, v.value_key, v.modality,
  v.drl_category, v.body_region, v.age_band, v.quantity, v.value, v.status, v.status_note, v.attributes`;

/** The figures of one edition, in the order they were written in its document. */
export async function valuesOfSet(db: QueryRunner, referenceSetId: number): Promise<StoredReferenceValue[]> {
  const { rows } = await db.query<ValueRow>({
    text: `SELECT ${VALUE_COLUMNS}
           FROM reference_values v JOIN reference_sets s ON s.reference_set_id = v.reference_set_id
           WHERE v.reference_set_id = $1 ORDER BY v.reference_value_id`,
    values: [referenceSetId],
  });
  return rows.map(toValue);
}

/** Figures of the current editions matching every given field of the filter. */
export async function selectCurrentValues(
  db: QueryRunner,
  filter: ReferenceValueFilter,
): Promise<StoredReferenceValue[]> {
  const f = (value: string | undefined): string | null => value ?? null;
  const { rows } = await db.query<ValueRow>({
    text: `SELECT ${VALUE_COLUMNS}
           FROM reference_values v JOIN reference_sets s ON s.reference_set_id = v.reference_set_id
           WHERE s.superseded_by IS NULL
             AND ($1::text IS NULL OR s.set_key = $1) AND ($2::text IS NULL OR s.kind = $2)
             AND ($3::text IS NULL OR v.modality = $3) AND ($4::text IS NULL OR v.drl_category = $4)
             AND ($5::text IS NULL OR v.body_region = $5) AND ($6::text IS NULL OR v.age_band = $6)
             AND ($7::text IS NULL OR v.quantity = $7)
             AND (s.trust_id IS NULL OR s.trust_id = ANY($8::bigint[]))
           ORDER BY s.set_key, v.reference_value_id`,
    values: [
      f(filter.setKey),
      f(filter.kind),
      f(filter.modality),
      f(filter.drlCategory),
      f(filter.bodyRegion),
      f(filter.ageBand),
      f(filter.quantity),
      filter.trustIds ?? [],
    ],
  });
  return rows.map(toValue);
}

/** The current edition of a set key, locked until the transaction ends (an import replaces it). */
export async function lockCurrentEdition(
  db: QueryRunner,
  setKey: string,
): Promise<
  { referenceSetId: number; edition: string; kind: string; trustId: number | null; builtin: boolean } | undefined
> {
  const { rows } = await db.query<{
    reference_set_id: number;
    edition: string;
    kind: string;
    trust_id: number | null;
    builtin: boolean;
  }>(sql`
    SELECT reference_set_id, edition, kind, trust_id, builtin FROM reference_sets
    WHERE set_key = ${setKey} AND superseded_by IS NULL FOR UPDATE`);
  const row = rows[0];
  return row
    ? {
        referenceSetId: row.reference_set_id,
        edition: row.edition,
        kind: row.kind,
        trustId: row.trust_id,
        builtin: row.builtin,
      }
    : undefined;
}

export async function storedDocument(
  db: QueryRunner,
  setKey: string,
  edition: string,
): Promise<{ referenceSetId: number; document: unknown } | undefined> {
  const { rows } = await db.query<{ reference_set_id: number; document: unknown }>(
    sql`SELECT reference_set_id, document FROM reference_sets WHERE set_key = ${setKey} AND edition = ${edition}`,
  );
  return rows[0] ? { referenceSetId: rows[0].reference_set_id, document: rows[0].document } : undefined;
}

export async function trustIdOf(db: QueryRunner, code: string): Promise<number | undefined> {
  const { rows } = await db.query<{ trust_id: number }>(sql`SELECT trust_id FROM trusts WHERE code = ${code}`);
  return rows[0]?.trust_id;
}

export interface NewSetRow {
  readonly document: ReferenceSetDocument;
  readonly trustId: number | null;
  readonly builtin: boolean;
  readonly loadedBy: string;
  /** Stored already superseded (history): a builtin edition arriving after a user's own. */
  readonly supersededBy: number | null;
}

/** Inserts an edition and its figures (one statement each); returns the new id. */
export async function insertSet(db: QueryRunner, row: NewSetRow): Promise<number> {
  const d = row.document;
  const { rows } = await db.query<{ reference_set_id: number }>(sql`
    INSERT INTO reference_sets (set_key, kind, title, publisher, edition, effective_from, source_title, source_url,
                                trust_id, builtin, document, loaded_by, superseded_by, superseded_at)
    VALUES (${d.setKey}, ${d.kind}, ${d.title}, ${d.publisher}, ${d.edition}, ${d.effectiveFrom ?? null},
            ${d.source.title}, ${d.source.url ?? null}, ${row.trustId}, ${row.builtin}, ${JSON.stringify(d)},
            ${row.loadedBy}, ${row.supersededBy}, ${row.supersededBy === null ? null : new Date()})
    RETURNING reference_set_id`);
  const id = rows[0]!.reference_set_id;
  const column = <T>(pick: (v: ReferenceSetDocument['values'][number]) => T) => d.values.map(pick);
  await db.query(sql`
    INSERT INTO reference_values (reference_set_id, value_key, modality, drl_category, body_region, age_band,
                                  quantity, value, status, status_note, attributes)
    SELECT ${id}, u.value_key, u.modality, u.drl_category, u.body_region, u.age_band, u.quantity, u.value, u.status,
           u.status_note, u.attributes
    FROM unnest(${column((v) => v.valueKey)}::text[], ${column((v) => v.modality ?? null)}::text[],
                ${column((v) => v.drlCategory ?? null)}::text[], ${column((v) => v.bodyRegion ?? null)}::text[],
                ${column((v) => v.ageBand ?? null)}::text[], ${column((v) => v.quantity)}::text[],
                ${column((v) => v.value)}::float8[], ${column((v) => v.status)}::text[],
                ${column((v) => v.statusNote ?? null)}::text[],
                ${column((v) => JSON.stringify(v.attributes ?? {}))}::jsonb[])
         WITH ORDINALITY AS u(value_key, modality, drl_category, body_region, age_band, quantity, value, status,
                              status_note, attributes, position)
    -- Ids follow the document's order, so a set reads back as it was written.
    ORDER BY u.position`);
  return id;
}

/**
 * Takes the current edition out of "current" for the rest of the transaction. At most one edition
 * per set key may be current (a partial unique index, checked row by row), so the old edition must
 * step aside before the new one is inserted, and the new one's id is not known yet: for that instant
 * the old edition points at itself, which replaceSupersession then corrects.
 */
export async function stepAside(db: QueryRunner, referenceSetId: number): Promise<void> {
  await db.query(sql`
    UPDATE reference_sets SET superseded_by = reference_set_id, superseded_at = now()
    WHERE reference_set_id = ${referenceSetId}`);
}

export async function replaceSupersession(db: QueryRunner, oldId: number, newId: number): Promise<void> {
  await db.query(sql`UPDATE reference_sets SET superseded_by = ${newId} WHERE reference_set_id = ${oldId}`);
}
