import type { StudySummary } from '../extract/summary.ts';
import type { StudyReportRow, StudyTotals } from './studies.ts';

/**
 * Study totals from the reports merged into it (docs/adr/0004-merging-reports.md):
 * - a report whose events are all listed by another report adds nothing (cumulative RDSRs: the
 *   latest supersedes the earlier ones);
 * - the remaining reports cover disjoint events (continued studies, one image per exposure) and
 *   their totals add up;
 * - when two remaining reports share some events but neither contains the other, report totals
 *   cannot be combined without counting twice, so the stored events are summed instead.
 */
export type TotalsDecision = { readonly kind: 'reports'; readonly totals: StudyTotals } | { readonly kind: 'events' };

function isSubset(small: ReadonlySet<string>, large: ReadonlySet<string>): boolean {
  for (const item of small) if (!large.has(item)) return false;
  return true;
}

/** Reports not superseded by another; of two with the same events, the later one stays. */
function currentReports(reports: readonly StudyReportRow[]): StudyReportRow[] {
  const sets = reports.map((r) => new Set(r.eventUids));
  return reports.filter(
    (_, i) =>
      !sets.some(
        (other, j) => j !== i && isSubset(sets[i] ?? new Set(), other) && (other.size > (sets[i]?.size ?? 0) || j > i),
      ),
  );
}

function overlap(reports: readonly StudyReportRow[]): boolean {
  const seen = new Set<string>();
  for (const r of reports) {
    for (const uid of r.eventUids) {
      if (seen.has(uid)) return true;
    }
    for (const uid of r.eventUids) seen.add(uid);
  }
  return false;
}

function add(values: ReadonlyArray<number | undefined | null>): number | undefined {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

export function decideTotals(reports: readonly StudyReportRow[]): TotalsDecision {
  const current = currentReports(reports);
  if (overlap(current)) return { kind: 'events' };
  const sum = (pick: (s: StudySummary) => number | undefined): number | undefined =>
    add(current.map((r) => pick(r.summary)));
  return {
    kind: 'reports',
    totals: {
      totalDlpMgyCm: sum((s) => s.totalDlpMgyCm),
      totalDapGyCm2: sum((s) => s.totalDapGyCm2),
      totalDapPlaneAGyCm2: sum((s) => s.totalDapPlaneAGyCm2),
      totalDapPlaneBGyCm2: sum((s) => s.totalDapPlaneBGyCm2),
      totalDoseRpGy: sum((s) => s.totalDoseRpGy),
      totalAgdLeftMgy: sum((s) => s.totalAgdLeftMgy),
      totalAgdRightMgy: sum((s) => s.totalAgdRightMgy),
      totalAgdMgy: add([sum((s) => s.totalAgdLeftMgy), sum((s) => s.totalAgdRightMgy), sum((s) => s.totalAgdBothMgy)]),
      totalActivityMbq: sum((s) => s.totalActivityMbq),
    },
  };
}
