import type { StudySummary } from '../extract/summary.ts';
import type { SourceKind } from '../extract/types.ts';
import type { StudyReportRow, StudyTotals } from './studies.ts';

/**
 * How the reports merged into one study make its totals (docs/adr/0006-source-precedence.md and
 * docs/adr/0004-ingest-store-and-merging.md).
 *
 * 1. Source precedence: one exam's dose may arrive from several sources that describe the same
 *    exposures under keys that never meet (RDSR event UIDs, image-derived keys, dose-screen keys).
 *    Per dose domain, only the best source present counts: RDSR over dose screen over image headers.
 * 2. Among the reports of that rank:
 *    - a report whose events are all listed by another report adds nothing (cumulative RDSRs: the
 *      latest supersedes the earlier ones); a report with no events is decided by its content;
 *    - the remaining reports cover disjoint events (continued studies, one image per exposure) and
 *      their totals add up;
 *    - when two remaining reports share some events but neither contains the other, report totals
 *      cannot be combined without counting twice, so the stored events are summed instead.
 */
export type TotalsDecision = { readonly kind: 'reports'; readonly totals: StudyTotals } | { readonly kind: 'events' };

type DoseDomain = 'ct' | 'projection' | 'radiopharmaceutical';

/** The dose each source kind reports, and how far it is trusted: higher ranks displace lower ones. */
const SOURCES: Record<SourceKind, { readonly domain: DoseDomain; readonly rank: number }> = {
  'ct-rdsr': { domain: 'ct', rank: 3 },
  'philips-ct-dose-sc': { domain: 'ct', rank: 2 },
  'ct-image': { domain: 'ct', rank: 1 },
  'projection-rdsr': { domain: 'projection', rank: 3 },
  'dx-image': { domain: 'projection', rank: 1 },
  'mg-image': { domain: 'projection', rank: 1 },
  'radiopharmaceutical-rdsr': { domain: 'radiopharmaceutical', rank: 3 },
  'nm-image': { domain: 'radiopharmaceutical', rank: 1 },
  'pet-image': { domain: 'radiopharmaceutical', rank: 1 },
};

function sourceOf(kind: string): { domain: string; rank: number } {
  // A kind this table does not know stands alone: nothing displaces it, it displaces nothing.
  return (
    (SOURCES as Record<string, { domain: DoseDomain; rank: number } | undefined>)[kind] ?? { domain: kind, rank: 0 }
  );
}

/** Whether a report of `kind` is displaced by a better source among `present` (same domain, higher rank). */
export function isOutranked(kind: string, present: readonly string[]): boolean {
  const mine = sourceOf(kind);
  return present.some((other) => {
    const theirs = sourceOf(other);
    return theirs.domain === mine.domain && theirs.rank > mine.rank;
  });
}

/** The kinds among `present` that a report of `kind` displaces: their events leave the study. */
export function displacedKinds(kind: string, present: readonly string[]): string[] {
  return [...new Set(present)].filter((other) => isOutranked(other, [kind]));
}

function isSubset(small: ReadonlySet<string>, large: ReadonlySet<string>): boolean {
  for (const item of small) if (!large.has(item)) return false;
  return true;
}

const DOSE_TOTALS = [
  'totalDlpMgyCm',
  'totalDapGyCm2',
  'totalDoseRpGy',
  'totalAgdLeftMgy',
  'totalAgdRightMgy',
  'totalAgdBothMgy',
  'totalActivityMbq',
] as const;

/**
 * Whether a later report restates one that lists no events, by content: of the same kind, stating
 * every total the first states, none smaller (a cumulative report's totals never decrease). Without
 * events, "its events are all listed elsewhere" says nothing: an empty set is a subset of every set.
 */
function restatesContent(empty: StudyReportRow, later: StudyReportRow): boolean {
  if (empty.sourceKind !== later.sourceKind) return false;
  return DOSE_TOTALS.every((field) => {
    const mine = empty.summary[field];
    if (mine === undefined || mine === null) return true;
    const theirs = later.summary[field];
    return typeof theirs === 'number' && theirs >= mine;
  });
}

/** Reports not superseded by another; of two with the same events, the later one stays. */
function currentReports(reports: readonly StudyReportRow[]): StudyReportRow[] {
  const sets = reports.map((r) => new Set(r.eventUids));
  const supersedes = (j: number, i: number): boolean => {
    const [mine, other] = [sets[i]!, sets[j]!];
    if (mine.size === 0) return j > i && restatesContent(reports[i]!, reports[j]!);
    return isSubset(mine, other) && (other.size > mine.size || j > i);
  };
  return reports.filter((_, i) => !reports.some((__, j) => j !== i && supersedes(j, i)));
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
  const kinds = reports.map((r) => r.sourceKind);
  const current = currentReports(reports.filter((r) => !isOutranked(r.sourceKind, kinds)));
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

/**
 * What each report did to its study's totals, by the rules above (for the study page's merge
 * history): counted; outranked by a better source of its dose domain; superseded by a cumulative
 * report that lists all its events; or counted through the stored events because the current
 * reports overlap only partly.
 */
export type ReportRole = 'counted' | 'outranked' | 'superseded' | 'events-summed';

export function reportRoles(reports: readonly StudyReportRow[]): ReportRole[] {
  const kinds = reports.map((r) => r.sourceKind);
  const ranked = reports.filter((r) => !isOutranked(r.sourceKind, kinds));
  const current = new Set(currentReports(ranked));
  const summed = overlap([...current]);
  return reports.map((r) => {
    if (isOutranked(r.sourceKind, kinds)) return 'outranked';
    if (!current.has(r)) return 'superseded';
    return summed ? 'events-summed' : 'counted';
  });
}
