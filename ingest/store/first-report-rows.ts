import { summariseReport } from '../extract/summary.ts';
import type { DoseReport } from '../extract/types.ts';
import { bindEvents, eventInstants, eventRecord, eventRows, uniqueEvents, type EventRecord } from './events.ts';
import { decideTotals } from './merge.ts';
import { newStudy, studyRecord, type StudyRecord, type StudyRefs } from './studies.ts';

/**
 * The rows a study has when one report is all that was ever recorded for it: what the ingest path
 * writes for that report into a store that does not know the study (newStudy and upsertStudies,
 * eventRows, eventInstants and upsertEventRows, summariseReport, decideTotals and
 * updateStudiesTotals), built by the same functions. For bulk loaders that write many new studies
 * with COPY (synthetic/direct-load.ts): a study loaded that way is the study ingest would store.
 * Not made here: the source object and study report rows, which only exist for a received object.
 */
export interface FirstReportRows {
  readonly study: StudyRecord;
  /** Each also gives its irradiation_event_keys row (ADR 0005): its EVENT_KEY_COLUMNS. */
  readonly events: readonly EventRecord[];
}

export function firstReportRows(report: DoseReport, refs: StudyRefs & { readonly studyId: number }): FirstReportRows {
  const rows = eventRows(report);
  const bound = bindEvents(rows, eventInstants(report, rows, refs.zones), {
    studyId: refs.studyId,
    sourceObjectId: undefined,
    deviceId: refs.deviceId,
    sourceKind: report.sourceKind,
  });
  const events = uniqueEvents(bound).map((u) => eventRecord(u.event));
  const decision = decideTotals([
    { eventUids: rows.map((r) => r.eventUid), summary: summariseReport(report), sourceKind: report.sourceKind },
  ]);
  // Only reports sharing some events make totals come from the stored events; one report shares none.
  if (decision.kind !== 'reports') throw new Error('the totals of a single report come from the report');
  return {
    study: studyRecord(refs.studyId, newStudy(report, refs), decision.totals, events.length),
    events,
  };
}
