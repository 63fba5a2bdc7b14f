import type { QueryRunner } from '../../core/index.ts';
import { matchNotPatient } from '../extract/not-patient.ts';
import { summariseReport, type StudySummary } from '../extract/summary.ts';
import type { DoseReport } from '../extract/types.ts';
import {
  bindEvents,
  dropEventsOfSources,
  eventInstants,
  upsertEventRows,
  type BoundEvent,
  type EventRow,
} from '../store/events.ts';
import { displacedKinds, isOutranked } from '../store/merge.ts';
import { resolvePatients, type Trust } from '../store/reference.ts';
import { insertSourceObjects, linkSourcesToStudies } from '../store/sources.ts';
import {
  insertStudyReports,
  mergeNewStudies,
  newStudy,
  reportsOfStudies,
  updateStudiesTotals,
  upsertStudies,
  type NewStudy,
  type StudyTotals,
} from '../store/studies.ts';
import {
  cachedDevice,
  studiesRecorded,
  senderTrust,
  zonesOf,
  type IngestContext,
  type StudyUpdatedEvent,
} from './ingest-context.ts';
import { accessionKey, birthYear, normalisedSex, patientKeys } from './patient-identity.ts';
import {
  isQuarantined,
  ledgerRow,
  outcomeWithoutMerge,
  recordObject,
  studyTotals,
  type RecordItem,
} from './record-object.ts';
import type { IngestOutcome } from './types.ts';

/**
 * Records many objects in one transaction with a fixed number of statements (one per table, each
 * carrying every row as one JSON parameter), instead of about twenty round trips per object: the
 * bulk importer's path. The result is what recording the objects one by one, in order, would give
 * (record-object.ts): same rows, same merge rules (source precedence included), same outcomes.
 * Quarantined objects take the one-by-one path, inside the same transaction, after the rest.
 */

/** An extracted report to merge, with everything the statements below need. */
interface Merge {
  readonly index: number;
  readonly trust: Trust;
  readonly report: DoseReport;
  readonly rows: readonly EventRow[];
  readonly sourceObjectId: number;
  deviceId: number;
  studyId: number;
  eventUids: string[];
  summary: StudySummary;
}

function routeOneByOne(items: readonly RecordItem[]): Set<number> {
  const oneByOne = new Set<number>();
  items.forEach((item, index) => {
    if (isQuarantined(item.prepared)) oneByOne.add(index);
  });
  return oneByOne;
}

export async function recordBatch(
  db: QueryRunner,
  ctx: IngestContext,
  items: readonly RecordItem[],
): Promise<{ outcomes: IngestOutcome[]; studiesUpdated: StudyUpdatedEvent[] }> {
  const outcomes: Array<IngestOutcome | undefined> = items.map(() => undefined);
  const oneByOne = routeOneByOne(items);
  const trusts: Trust[] = [];
  for (const item of items) trusts.push(await senderTrust(ctx, db, item.request.trustCode));

  // 1. The ledger: one row per SOP instance; a repeat within the batch is a duplicate of the first.
  const firstOfUid = new Map<string, number>();
  const inserting: number[] = [];
  items.forEach((item, index) => {
    if (oneByOne.has(index)) return;
    const uid = item.prepared.sopInstanceUid ?? '';
    if (!firstOfUid.has(uid)) {
      firstOfUid.set(uid, index);
      inserting.push(index);
    }
  });
  const sources = await insertSourceObjects(
    db,
    inserting.map((index) => {
      const { request, prepared, storagePath } = items[index]!;
      return ledgerRow(request, prepared, storagePath, trusts[index]!.trustId);
    }),
  );
  const sourceOf = new Map(inserting.map((index, i) => [index, sources[i]!]));
  const merges: Merge[] = [];
  items.forEach((item, index) => {
    if (oneByOne.has(index)) return;
    const first = firstOfUid.get(item.prepared.sopInstanceUid ?? '')!;
    const source = sourceOf.get(first)!;
    const settled = outcomeWithoutMerge(item.prepared, source, first === index);
    const report = item.prepared.extraction?.report;
    if (settled || !report) outcomes[index] = settled;
    else
      merges.push({
        index,
        trust: trusts[index]!,
        report,
        rows: item.rows,
        sourceObjectId: source.id,
        deviceId: 0,
        studyId: 0,
        eventUids: item.rows.map((r) => r.eventUid),
        summary: summariseReport(report),
      });
  });

  const studiesUpdated = merges.length > 0 ? await mergeReports(db, ctx, merges, outcomes) : [];

  // 2. The rest, one by one, in arrival order.
  for (const index of [...oneByOne].sort((a, b) => a - b)) {
    const recorded = await recordObject(db, ctx, items[index]!);
    outcomes[index] = recorded.outcome;
    if (recorded.studyUpdated) studiesUpdated.push(recorded.studyUpdated);
  }
  return { outcomes: outcomes.map((o) => o!), studiesUpdated };
}

async function mergeReports(
  db: QueryRunner,
  ctx: IngestContext,
  merges: Merge[],
  outcomes: Array<IngestOutcome | undefined>,
): Promise<StudyUpdatedEvent[]> {
  // Rooms and patients.
  for (const m of merges) m.deviceId = await cachedDevice(ctx, db, m.report, m.trust.trustId);
  const patients = await resolvePatients(
    db,
    merges.map((m) => ({
      keys: patientKeys(m.report.patient, m.trust, ctx.patientIdSecret),
      trustId: m.trust.trustId,
      facts: { birthYear: birthYear(m.report.patient), sex: normalisedSex(m.report.patient) },
    })),
  );

  // Studies: one row per study, however many of its reports the batch holds.
  const studyRows = new Map<string, NewStudy>();
  merges.forEach((m, i) => {
    const row = newStudy(m.report, {
      patientId: patients[i],
      trustId: m.trust.trustId,
      deviceId: m.deviceId,
      zones: zonesOf(ctx, m.trust),
      accessionHash: accessionKey(ctx.patientIdSecret, m.trust.code, m.report.study.accessionNumber),
      notPatient:
        matchNotPatient(m.report.patient.patientName, m.report.patient.patientId, ctx.notPatientPatterns) !== undefined,
    });
    const uid = m.report.study.studyInstanceUid;
    const earlier = studyRows.get(uid);
    studyRows.set(uid, earlier ? mergeNewStudies(earlier, row) : row);
  });
  const uids = [...studyRows.keys()];
  const upserted = await upsertStudies(db, [...studyRows.values()]);
  const studyOf = new Map(uids.map((uid, i) => [uid, upserted[i]!]));
  for (const m of merges) m.studyId = studyOf.get(m.report.study.studyInstanceUid)!.studyId;
  await linkSourcesToStudies(
    db,
    merges.map((m) => ({ sourceObjectId: m.sourceObjectId, studyId: m.studyId })),
  );
  const known = upserted.filter((s) => !s.created).map((s) => s.studyId);
  const existingReports = await reportsOfStudies(db, known);
  const { accepted, displaced } = applyPrecedence(merges, existingReports);

  // Events, then the reports that list them.
  const bound: BoundEvent[] = [];
  const owner: number[] = [];
  merges.forEach((m, i) => {
    if (!accepted[i]) return;
    const events = bindEvents(m.rows, eventInstants(m.report, m.rows, zonesOf(ctx, m.trust)), {
      studyId: m.studyId,
      sourceObjectId: m.sourceObjectId,
      deviceId: m.deviceId,
      sourceKind: m.report.sourceKind,
    });
    for (const e of events) {
      bound.push(e);
      owner.push(i);
    }
  });
  const added = await upsertEventRows(db, bound, known.length > 0);
  for (const [studyId, kinds] of displaced) await dropEventsOfSources(db, studyId, [...kinds]);
  const addedBy = merges.map(() => 0);
  added.forEach((isNew, i) => {
    if (isNew) addedBy[owner[i]!]! += 1;
  });
  await insertStudyReports(
    db,
    merges.map((m) => ({
      studyId: m.studyId,
      sourceObjectId: m.sourceObjectId,
      report: m.report,
      eventUids: m.eventUids,
      summary: m.summary,
    })),
  );

  // Totals of each study from all its reports, old and new, in order.
  const mergesOf = new Map<number, number[]>();
  merges.forEach((m, i) => mergesOf.set(m.studyId, [...(mergesOf.get(m.studyId) ?? []), i]));
  const updates: Array<{ studyId: number; totals: StudyTotals; eventCount: number | undefined }> = [];
  const studiesUpdated: StudyUpdatedEvent[] = [];
  for (const [uid, study] of studyOf) {
    const mine = mergesOf.get(study.studyId) ?? [];
    const reports = [
      ...(existingReports.get(study.studyId) ?? []),
      ...mine.map((i) => {
        const m = merges[i]!;
        return { eventUids: m.eventUids, summary: m.summary, sourceKind: m.report.sourceKind };
      }),
    ];
    // Events dropped by precedence are not counted here: those studies count their stored events.
    const eventCount = displaced.has(study.studyId)
      ? undefined
      : study.eventCountBefore + mine.reduce((n, i) => n + addedBy[i]!, 0);
    updates.push({ studyId: study.studyId, totals: await studyTotals(db, study.studyId, reports), eventCount });
    studiesUpdated.push({ studyId: study.studyId, studyInstanceUid: uid });
  }
  await updateStudiesTotals(db, updates);
  await studiesRecorded(db, ctx, studiesUpdated);

  merges.forEach((m, i) => {
    outcomes[m.index] = {
      status: 'stored',
      sopInstanceUid: m.report.sopInstanceUid,
      studyInstanceUid: m.report.study.studyInstanceUid,
      studyId: m.studyId,
      sourceObjectId: m.sourceObjectId,
      eventsAdded: addedBy[i]!,
    };
  });
  return studiesUpdated;
}

/**
 * Source precedence (merge.ts) over the batch, in arrival order as one-by-one commits apply it: which
 * merges keep their events (an outranked one is recorded without them), and, per study, the source
 * kinds whose stored events leave it once this batch's events are written.
 */
function applyPrecedence(
  merges: Merge[],
  existingReports: ReadonlyMap<number, ReadonlyArray<{ sourceKind: string }>>,
): { accepted: boolean[]; displaced: Map<number, Set<string>> } {
  const present = new Map<number, string[]>();
  const displaced = new Map<number, Set<string>>();
  const accepted = merges.map((m) => {
    const kinds = present.get(m.studyId) ?? (existingReports.get(m.studyId) ?? []).map((r) => r.sourceKind);
    const dropped = displacedKinds(m.report.sourceKind, kinds);
    if (dropped.length > 0) displaced.set(m.studyId, new Set([...(displaced.get(m.studyId) ?? []), ...dropped]));
    const keeps = !isOutranked(m.report.sourceKind, kinds);
    if (!keeps) m.eventUids = [];
    present.set(m.studyId, [...kinds, m.report.sourceKind]);
    return keeps;
  });
  return { accepted, displaced };
}
