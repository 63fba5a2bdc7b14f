import type { RowOutcome, RowProblem, SizeAction, SizeRow, StudyChange } from './types.ts';

/** A study a row matched, with the size it has now. Source NULL: read from the dose objects. */
export interface MatchedStudy {
  readonly studyId: number;
  readonly heightM: number | null;
  readonly weightKg: number | null;
  readonly heightSource: 'imported' | null;
  readonly weightSource: 'imported' | null;
}

/** What to write to one study: only the quantities being filled (or replacing an earlier import). */
export interface SizeUpdate {
  readonly studyId: number;
  readonly heightM: number | undefined;
  readonly weightKg: number | undefined;
}

export interface SizePlan {
  readonly outcomes: RowOutcome[];
  readonly updates: SizeUpdate[];
}

/** A value as the plan sees it while walking the file: stored, or given by an earlier row of this file. */
type Held =
  | { readonly from: 'store'; readonly value: number | null; readonly imported: boolean }
  | { readonly from: 'file'; readonly value: number; readonly row: number };

// Sizes are compared as stored doubles; this only absorbs the last bit of a unit conversion.
const same = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));

function decide(
  held: Held,
  given: number | undefined,
  replaceImported: boolean,
): { action: SizeAction; conflictRow?: number } {
  if (given === undefined) return { action: 'none' };
  if (held.from === 'file') {
    return same(held.value, given) ? { action: 'duplicate' } : { action: 'duplicate', conflictRow: held.row };
  }
  if (held.value === null) return { action: 'filled' };
  if (!held.imported) return { action: 'kept-dicom' };
  return replaceImported && !same(held.value, given) ? { action: 'replaced' } : { action: 'kept-imported' };
}

const writes = (action: SizeAction): boolean => action === 'filled' || action === 'replaced';

/**
 * Decides, row by row in file order, what each row does to the studies it matches. A value already
 * present is kept (from the dose objects always; from an earlier import unless `replaceImported`);
 * only missing ones are filled. The first row that gives a study a value wins; a later row giving a
 * different value for the same study is a conflict and applies nothing. Running the plan again on
 * the store it produced writes nothing, which makes a re-import idempotent.
 */
export function planSizes(
  rows: readonly SizeRow[],
  matchesOf: (row: SizeRow) => readonly MatchedStudy[],
  replaceImported: boolean,
): SizePlan {
  const heights = new Map<number, Held>();
  const weights = new Map<number, Held>();
  const updates = new Map<number, { heightM?: number; weightKg?: number }>();
  const outcomes: RowOutcome[] = [];
  for (const row of rows) {
    const studies = matchesOf(row);
    if (studies.length === 0) {
      outcomes.push({ status: 'problem', row: row.row, code: 'no-study', reason: 'no study matches' });
      continue;
    }
    const changes: StudyChange[] = [];
    const conflicts = new Set<number>();
    for (const s of studies) {
      const h = decide(
        heights.get(s.studyId) ?? { from: 'store', value: s.heightM, imported: s.heightSource === 'imported' },
        row.heightM,
        replaceImported,
      );
      const w = decide(
        weights.get(s.studyId) ?? { from: 'store', value: s.weightKg, imported: s.weightSource === 'imported' },
        row.weightKg,
        replaceImported,
      );
      if (h.conflictRow !== undefined) conflicts.add(h.conflictRow);
      if (w.conflictRow !== undefined) conflicts.add(w.conflictRow);
      changes.push({ studyId: s.studyId, height: h.action, weight: w.action });
    }
    if (conflicts.size > 0) {
      const rowsText = [...conflicts].sort((a, b) => a - b).join(', ');
      const problem: RowProblem = {
        row: row.row,
        code: 'conflict',
        reason:
          conflicts.size === 1
            ? `row ${rowsText} of this file gives the same study a different size`
            : `rows ${rowsText} of this file give the same study a different size`,
      };
      outcomes.push({ status: 'problem', ...problem });
      continue;
    }
    for (const change of changes) {
      const update = updates.get(change.studyId) ?? {};
      if (writes(change.height) && row.heightM !== undefined) {
        update.heightM = row.heightM;
        heights.set(change.studyId, { from: 'file', value: row.heightM, row: row.row });
      }
      if (writes(change.weight) && row.weightKg !== undefined) {
        update.weightKg = row.weightKg;
        weights.set(change.studyId, { from: 'file', value: row.weightKg, row: row.row });
      }
      updates.set(change.studyId, update);
    }
    const applied = changes.some((c) => writes(c.height) || writes(c.weight));
    outcomes.push({
      row: row.row,
      status: applied ? 'applied' : 'unchanged',
      heightM: row.heightM,
      weightKg: row.weightKg,
      studies: changes,
    });
  }
  return {
    outcomes,
    updates: [...updates]
      .filter(([, u]) => u.heightM !== undefined || u.weightKg !== undefined)
      .map(([studyId, u]) => ({ studyId, heightM: u.heightM, weightKg: u.weightKg })),
  };
}
