import { sql, type QueryRunner } from '../../core/index.ts';
import { recomputeStatement } from './recompute-sql.ts';

export interface RecomputeSummary {
  /** Studies whose metrics were written. */
  readonly studies: number;
  /** DRL comparisons written (national and local). */
  readonly comparisons: number;
  /** Comparisons removed because they no longer apply (mapping or reference edition changed). */
  readonly removed: number;
}

/**
 * Studies per statement when recomputing everything: large enough that a 4-million-study region
 * takes a few dozen statements, small enough that one statement's sorts and hash tables stay in
 * memory and its transaction does not hold row locks on the whole table for minutes.
 */
export const RECOMPUTE_BATCH = 50_000;

/**
 * Recomputes the per-exam dose metrics (effective dose, SSDE) and the DRL comparisons of the given
 * studies, or of every study when `studyIds` is omitted. Set-based: one statement per batch, each
 * atomic. Call it after a study is stored, mapped to another standard procedure or given a patient
 * size, and after a reference edition changes.
 */
export async function recomputeDoseMetrics(
  db: QueryRunner,
  options: { readonly studyIds?: readonly (number | bigint)[] } = {},
): Promise<RecomputeSummary> {
  let total: RecomputeSummary = { studies: 0, comparisons: 0, removed: 0 };
  const add = (r: { metrics: number; comparisons: number; removed: number }) => {
    total = {
      studies: total.studies + r.metrics,
      comparisons: total.comparisons + r.comparisons,
      removed: total.removed + r.removed,
    };
  };
  if (options.studyIds) {
    const ids = [...new Set(options.studyIds.map((id) => Number(id)))];
    for (let i = 0; i < ids.length; i += RECOMPUTE_BATCH) {
      add(await run(db, { studyIds: ids.slice(i, i + RECOMPUTE_BATCH) }));
    }
    return total;
  }
  const { rows } = await db.query<{ lo: string | null; hi: string | null }>(
    sql`SELECT min(study_id) AS lo, max(study_id) AS hi FROM studies`,
  );
  const lo = rows[0]?.lo;
  const hi = rows[0]?.hi;
  if (lo === null || lo === undefined || hi === null || hi === undefined) return total;
  for (let from = Number(lo); from <= Number(hi); from += RECOMPUTE_BATCH) {
    add(await run(db, { fromId: from, toId: from + RECOMPUTE_BATCH }));
  }
  return total;
}

async function run(
  db: QueryRunner,
  scope: Parameters<typeof recomputeStatement>[0],
): Promise<{ metrics: number; comparisons: number; removed: number }> {
  const { rows } = await db.query<{ metrics: number; comparisons: number; removed: number }>(recomputeStatement(scope));
  return rows[0] ?? { metrics: 0, comparisons: 0, removed: 0 };
}
