import { sql, type QueryRunner, type SqlQuery, type TransactionRunner } from '../../core/index.ts';
import type { RemapResult } from './types.ts';

/**
 * Maps studies to standard procedures with the rule table, set-based: one UPDATE … FROM per call,
 * whatever the number of studies. Studies sharing what the rules read (trust, modality, description,
 * procedure code, the set of protocol names and of target regions) share one "key"; the rules are
 * evaluated once per key (first enabled match by position, a trust's rule before a consortium-wide
 * one at equal position, then rule id) and the decision joined back to the studies. A region has
 * far fewer keys than studies, so a regex is run thousands of times, not millions.
 * Only rows whose mapping changes are written.
 */

/**
 * The rule predicate over a key `k` (trust_id, modality, description, code, protocols, regions);
 * rules as `r`. The cheap conditions come first inside a CASE, which PostgreSQL evaluates in order
 * (a plain AND may be reordered by estimated cost): a CT study never compiles a radiography rule's
 * regex, and compiling is most of a regex's cost (PostgreSQL caches only a few dozen compiled ones).
 */
export const RULE_MATCHES_KEY = `
  CASE WHEN r.enabled
        AND (r.trust_id IS NULL OR r.trust_id = k.trust_id)
        AND (r.modalities IS NULL OR k.modality = ANY (r.modalities))
        AND (r.procedure_code IS NULL
             OR lower(btrim(r.procedure_code)) IN (k.code, substr(k.code, strpos(k.code, ':') + 1)))
        AND (r.body_part IS NULL OR lower(btrim(r.body_part)) = ANY (k.regions))
  THEN (r.description_pattern IS NULL
        OR CASE WHEN r.description_regex THEN k.description ~* r.description_pattern
                ELSE k.description = lower(btrim(r.description_pattern)) END)
       AND (r.protocol_pattern IS NULL
            OR EXISTS (SELECT 1 FROM unnest(k.protocols) AS p (v)
                       WHERE CASE WHEN r.protocol_regex THEN p.v ~* r.protocol_pattern
                                  ELSE p.v = lower(btrim(r.protocol_pattern)) END))
  ELSE false END`;

/** First match first: position, then a trust's own rule, then the older rule. */
export const RULE_ORDER = 'r.position, r.trust_id IS NULL, r.rule_id';

/** A study's description as rules see it: its Study Description, else its requested procedure. */
export const STUDY_DESCRIPTION_SQL = `COALESCE(NULLIF(btrim(s.study_description), ''), s.requested_procedure)`;

export type Scope = { readonly ids: readonly number[] } | { readonly fromId: number; readonly toId: number } | 'all';

function scopeCondition(column: string, scope: Scope, values: unknown[]): string {
  if (scope === 'all') return 'true';
  if ('ids' in scope) {
    values.push(scope.ids);
    return `${column} = ANY ($${values.length}::bigint[])`;
  }
  values.push(scope.fromId, scope.toId);
  return `${column} >= $${values.length - 1} AND ${column} < $${values.length}`;
}

/** The mapping UPDATE for some studies (exported for EXPLAIN in benchmarks and tests). */
export function mappingStatement(scope: Scope): SqlQuery {
  const values: unknown[] = [];
  const studies = scopeCondition('s.study_id', scope, values);
  const events = scopeCondition('e.study_id', scope, values);
  // The same bounds on the updated table let it be read by its key instead of in full.
  const target = scopeCondition('s.study_id', scope, values);
  const none = 'chr(1)';
  return {
    text: `
    WITH target AS (
      SELECT s.study_id, s.trust_id, s.modality,
             lower(btrim(${STUDY_DESCRIPTION_SQL})) AS description,
             lower(btrim(s.procedure_code)) AS code
      FROM studies s
      WHERE ${studies}
    ), events AS (
      SELECT e.study_id,
             array_agg(DISTINCT lower(btrim(e.acquisition_protocol))) FILTER (WHERE e.acquisition_protocol IS NOT NULL) AS protocols,
             array_agg(DISTINCT lower(btrim(e.target_region))) FILTER (WHERE e.target_region IS NOT NULL) AS regions
      FROM irradiation_events e
      WHERE ${events}
      GROUP BY e.study_id
    ), keyed AS (
      SELECT t.study_id, t.trust_id, t.modality, t.description, t.code, ev.protocols, ev.regions,
             concat_ws(chr(31), t.trust_id, t.modality, coalesce(t.description, ${none}), coalesce(t.code, ${none}),
                       coalesce(array_to_string(ev.protocols, chr(30)), ${none}),
                       coalesce(array_to_string(ev.regions, chr(30)), ${none})) AS key
      FROM target t LEFT JOIN events ev ON ev.study_id = t.study_id
    ), keys AS MATERIALIZED (
      SELECT DISTINCT ON (key) key, trust_id, modality, description, code, protocols, regions FROM keyed
    ), decided AS (
      -- Rule by rule over every key (not key by key over the rules): PostgreSQL keeps a few dozen
      -- compiled regexes, and cycling through all the rules' patterns per key would compile each
      -- pattern again for every key.
      SELECT DISTINCT ON (k.key) k.key, r.rule_id, r.standard_procedure_code
      -- (OFFSET 0 keeps the planner from turning the loop inside out.)
      FROM procedure_rules r CROSS JOIN LATERAL (SELECT * FROM keys k WHERE ${RULE_MATCHES_KEY} OFFSET 0) k
      ORDER BY k.key, ${RULE_ORDER}
    )
    UPDATE studies s
    SET standard_procedure_code = d.standard_procedure_code, procedure_rule_id = d.rule_id
    FROM keyed t LEFT JOIN decided d ON d.key = t.key
    WHERE s.study_id = t.study_id AND ${target}
      AND (s.standard_procedure_code IS DISTINCT FROM d.standard_procedure_code
           OR s.procedure_rule_id IS DISTINCT FROM d.rule_id)`,
    values,
  };
}

/**
 * Maps the given studies (all when omitted) with the current rules: the first matching rule's
 * standard procedure, or NULL when none matches (never compared with a DRL). Returns how many
 * studies changed. Runs in the caller's transaction when given one.
 */
export async function mapStudies(
  db: QueryRunner,
  options: { studyIds?: readonly bigint[] | readonly number[] } = {},
): Promise<{ changed: number }> {
  const ids = options.studyIds?.map(Number);
  if (ids && ids.length === 0) return { changed: 0 };
  const { rowCount } = await db.query(mappingStatement(ids ? { ids } : 'all'));
  return { changed: rowCount ?? 0 };
}

/**
 * Rule changes and the mapping done by ingest exclude each other through this lock: a change holds
 * it exclusively while it writes; ingest holds it shared from reading the rules to its commit. So an
 * ingest that read the old rules has committed before the change does, and the re-map that follows
 * the change sees its studies; an ingest after the change reads the new rules.
 */
export const RULES_LOCK_KEY = 0x6b6d7072; // "kmpr"

/** The ingest hook: inside the ingest transaction, after its studies and events are written. */
export async function mapIngestedStudies(db: QueryRunner, studyIds: readonly number[]): Promise<void> {
  if (studyIds.length === 0) return;
  await db.query(sql`SELECT pg_advisory_xact_lock_shared(${RULES_LOCK_KEY})`);
  await mapStudies(db, { studyIds });
}

/** Studies per re-map transaction: a short transaction holds few row locks and is cheap to retry. */
const REMAP_CHUNK_STUDIES = 50_000;
/**
 * A re-map chunk waits at most this long for a row another transaction holds (an ingest batch), then
 * gives up and retries: it must give up before PostgreSQL's deadlock check (deadlock_timeout, 1 s by
 * default) could pick the ingest as the victim of a lock cycle.
 */
const REMAP_LOCK_TIMEOUT = '200ms';
const REMAP_ATTEMPTS = 20;

const isLockTimeout = (error: unknown): boolean => ['55P03', '40P01'].includes((error as { code?: string }).code ?? '');

async function remapChunk(transaction: TransactionRunner, fromId: number, toId: number): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction(async (db) => {
        await db.query({ text: `SET LOCAL lock_timeout = '${REMAP_LOCK_TIMEOUT}'` });
        const { rowCount } = await db.query(mappingStatement({ fromId, toId }));
        return rowCount ?? 0;
      });
    } catch (error) {
      if (!isLockTimeout(error) || attempt >= REMAP_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * Re-maps every study after a rule change, in study-id ranges of REMAP_CHUNK_STUDIES, each one
 * set-based statement in its own short transaction; then records the generation it covered, so an
 * interrupted re-map is run again at the next start (resumePendingRemap).
 */
export async function remapHistory(db: QueryRunner, transaction: TransactionRunner): Promise<RemapResult> {
  const started = performance.now();
  const { rows: state } = await db.query<{ requested: number }>(
    sql`SELECT requested_generation AS requested FROM procedure_mapping_state`,
  );
  const { rows } = await db.query<{ lo: number | null; hi: number | null; n: number }>(
    sql`SELECT min(study_id) AS lo, max(study_id) AS hi, count(*) AS n FROM studies`,
  );
  const { lo, hi, n } = rows[0] ?? { lo: null, hi: null, n: 0 };
  let changed = 0;
  if (lo !== null && hi !== null) {
    for (let from = lo; from <= hi; from += REMAP_CHUNK_STUDIES) {
      changed += await remapChunk(transaction, from, from + REMAP_CHUNK_STUDIES);
    }
  }
  await db.query(sql`
    UPDATE procedure_mapping_state
    SET completed_generation = greatest(completed_generation, ${state[0]?.requested ?? 0}), completed_at = now()`);
  return { changed, studies: n, milliseconds: Math.round(performance.now() - started) };
}

/** Whether a re-map was asked for (a rule change, the migration) and has not completed since. */
export async function remapPending(db: QueryRunner): Promise<boolean> {
  const { rows } = await db.query<{ pending: boolean }>(
    sql`SELECT requested_generation > completed_generation AS pending FROM procedure_mapping_state`,
  );
  return rows[0]?.pending ?? false;
}

/** At start: finishes a re-map that a crash or an outage interrupted (and maps history after the migration). */
export async function resumePendingRemap(
  db: QueryRunner,
  transaction: TransactionRunner,
): Promise<RemapResult | undefined> {
  if (!(await remapPending(db))) return undefined;
  return remapHistory(db, transaction);
}
