import type { QueryRunner } from '../../core/index.ts';
import { reportRoles, type ReportRole, type StudySummary } from '../../ingest/index.ts';
import {
  eventCounts,
  findStudy,
  projectionTypeSums,
  studyEvents,
  studyReportRows,
  studySources,
  type EventTypeSums,
  type StoredReport,
} from './store.ts';
import type { MergedReport, ProjectionTotalsRow, SourceObject, StudyDetail, StudyTotals } from './types.ts';

/**
 * The study page's use case: one study of the caller's trusts with its events, objects and merge
 * history, or undefined (not found, or another trust's: the caller cannot tell which).
 */
export interface StudyQuery {
  readonly studyId: number;
  /** The caller's trusts: the store answers nothing outside them. */
  readonly trustIds: readonly number[];
  /** At most this many events of each kind (the page's compact view); null for all of them. */
  readonly eventsPerKind: number | null;
}

export async function loadStudyDetail(db: QueryRunner, query: StudyQuery): Promise<StudyDetail | undefined> {
  const { studyId, trustIds } = query;
  const found = await findStudy(db, studyId, trustIds);
  if (!found) return undefined;
  const [events, counts, typeSums, sources, stored] = await Promise.all([
    studyEvents(db, studyId, trustIds, query.eventsPerKind),
    eventCounts(db, studyId, trustIds),
    projectionTypeSums(db, studyId, trustIds),
    studySources(db, studyId, trustIds),
    studyReportRows(db, studyId, trustIds),
  ]);
  const roles = reportRoles(stored);
  const reports = stored.map((r, i) => mergedReport(r, roles[i]!));
  return {
    study: found.header,
    totals: found.totals,
    projectionTotals: projectionTotals(found.totals, counted(stored, roles), typeSums),
    events,
    eventCounts: counts,
    eventsTruncated: events.length < counts.ct + counts.projection + counts.radiopharmaceutical,
    sources: sources.map(withoutPaths),
    reports,
    totalsFrom: totalsFrom(reports),
  };
}

const sumKnown = (values: ReadonlyArray<number | null | undefined>): number | null => {
  const known = values.filter((v): v is number => typeof v === 'number');
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
};

function mergedReport(r: StoredReport, role: ReportRole): MergedReport {
  const s = r.summary;
  return {
    sourceObjectId: r.sourceObjectId,
    sourceKind: r.sourceKind,
    modality: r.modality,
    eventCount: r.eventUids.length,
    mergedAt: r.mergedAt,
    role,
    totals: {
      dlpMgyCm: s.totalDlpMgyCm ?? null,
      dapGyCm2: s.totalDapGyCm2 ?? null,
      doseRpGy: s.totalDoseRpGy ?? null,
      agdMgy: sumKnown([s.totalAgdLeftMgy, s.totalAgdRightMgy, s.totalAgdBothMgy]),
      activityMbq: s.totalActivityMbq ?? null,
    },
  };
}

function totalsFrom(reports: readonly MergedReport[]): StudyDetail['totalsFrom'] {
  if (reports.some((r) => r.role === 'events-summed')) return 'events';
  return reports.some((r) => r.role === 'counted') ? 'reports' : 'none';
}

/** The summaries of the reports whose totals make the study's. */
function counted(stored: readonly StoredReport[], roles: readonly ReportRole[]): StudySummary[] {
  return stored.filter((_, i) => roles[i] === 'counted' || roles[i] === 'events-summed').map((r) => r.summary);
}

const isFluoroscopy = (type: string | null): boolean => type?.toLowerCase() === 'fluoroscopy';

/**
 * Fluoroscopy and acquisition totals of a projection study. The rows come from the reports' own
 * accumulated data (TID 10004), as the device stated them; the per-type rows under Acquisition sum
 * the stored events of each acquisition type, since no report states those. When no report states
 * the split (image headers, reports stored before it was kept), the events give it instead. The
 * Total row is the study's total DAP and dose at the reference point, and the two times added.
 * Null for a study without fluoroscopy (a radiograph has no split worth a table).
 */
export function projectionTotals(
  totals: StudyTotals,
  summaries: readonly StudySummary[],
  types: readonly EventTypeSums[],
): ProjectionTotalsRow[] | null {
  const fromReports = summaries.some(
    (s) =>
      s.fluoroDapTotalGyCm2 !== undefined || s.totalFluoroTimeS !== undefined || s.fluoroDoseRpTotalGy !== undefined,
  );
  if (!fromReports && !types.some((t) => isFluoroscopy(t.eventType))) return null;
  const acquisitionTypes = types.filter((t) => !isFluoroscopy(t.eventType));
  const fromEvents = (pick: (t: EventTypeSums) => number | null, fluoro: boolean) =>
    sumKnown(types.filter((t) => isFluoroscopy(t.eventType) === fluoro).map(pick));
  const pickSummaries = (pick: (s: StudySummary) => number | undefined) => sumKnown(summaries.map(pick));
  const fluoroscopy: ProjectionTotalsRow = fromReports
    ? {
        label: 'Fluoroscopy',
        kind: 'fluoroscopy',
        dapGyCm2: pickSummaries((s) => s.fluoroDapTotalGyCm2),
        doseRpGy: pickSummaries((s) => s.fluoroDoseRpTotalGy),
        timeS: pickSummaries((s) => s.totalFluoroTimeS),
      }
    : {
        label: 'Fluoroscopy',
        kind: 'fluoroscopy',
        dapGyCm2: fromEvents((t) => t.dapGyCm2, true),
        doseRpGy: fromEvents((t) => t.doseRpGy, true),
        timeS: fromEvents((t) => t.durationS, true),
      };
  const acquisition: ProjectionTotalsRow = fromReports
    ? {
        label: 'Acquisition',
        kind: 'acquisition',
        dapGyCm2: pickSummaries((s) => s.acquisitionDapTotalGyCm2),
        doseRpGy: pickSummaries((s) => s.acquisitionDoseRpTotalGy),
        timeS: pickSummaries((s) => s.totalAcquisitionTimeS),
      }
    : {
        label: 'Acquisition',
        kind: 'acquisition',
        dapGyCm2: fromEvents((t) => t.dapGyCm2, false),
        doseRpGy: fromEvents((t) => t.doseRpGy, false),
        timeS: fromEvents((t) => t.durationS, false),
      };
  const byType = acquisitionTypes.map((t): ProjectionTotalsRow => ({
    label: `- ${t.eventType ?? 'Unspecified acquisition'}`,
    kind: 'acquisition-type',
    dapGyCm2: t.dapGyCm2,
    doseRpGy: t.doseRpGy,
    timeS: t.durationS,
  }));
  const total: ProjectionTotalsRow = {
    label: 'Total',
    kind: 'total',
    dapGyCm2: totals.dapGyCm2,
    doseRpGy: totals.doseRpGy,
    timeS: sumKnown([fluoroscopy.timeS, acquisition.timeS]),
  };
  return [fluoroscopy, acquisition, ...byType, total];
}

/**
 * A sender is an AE title, an API key's name or `import:<runId>`; a caller of the ingest use case
 * could still pass something path-like, and a path may name a patient's folder: never shown.
 */
const PATH_LIKE = /^(?:\/|~\/|\.{1,2}\/|[A-Za-z]:[\\/]|\\\\)/;

function withoutPaths(source: SourceObject): SourceObject {
  return source.sender !== null && PATH_LIKE.test(source.sender) ? { ...source, sender: '(path withheld)' } : source;
}
