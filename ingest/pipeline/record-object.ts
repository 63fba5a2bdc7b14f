import type { QueryRunner } from '../../core/index.ts';
import { matchNotPatient } from '../extract/not-patient.ts';
import { summariseReport } from '../extract/summary.ts';
import type { DoseReport } from '../extract/types.ts';
import {
  dropEventsOfSources,
  eventInstants,
  eventRows,
  eventSums,
  upsertEvents,
  type EventRow,
} from '../store/events.ts';
import { decideTotals, displacedKinds, isOutranked } from '../store/merge.ts';
import { resolvePatient, type Trust } from '../store/reference.ts';
import { insertSourceObject, linkSourceToStudy, quarantineObject, type NewSourceObject } from '../store/sources.ts';
import {
  insertStudyReport,
  studyReports,
  updateStudiesTotals,
  upsertStudy,
  type StudyReportRow,
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
import type { IngestOutcome, IngestRequest, PreparedCommit, PreparedObject } from './types.ts';

/**
 * Records one object inside the caller's transaction, statement by statement: the path of live
 * transports (C-STORE, STOW-RS), of reprocessing, and of the objects a batch leaves to it (the
 * radiopharmaceutical merge rules, quarantine). record-batch.ts is the same use case for many objects.
 */
export type Recorded = { outcome: IngestOutcome; studyUpdated?: StudyUpdatedEvent };

/** The quarantine entry of an object that could not be read or extracted. */
export async function quarantine(
  db: QueryRunner,
  ctx: IngestContext,
  request: Omit<IngestRequest, 'bytes'>,
  prepared: PreparedObject,
  storagePath: string,
  trust: Trust,
): Promise<Recorded> {
  const failure = prepared.failure ?? { code: 'malformed' as const, message: 'not extracted' };
  const quarantineId = await quarantineObject(db, {
    ...request,
    trustId: trust.trustId,
    sha256: prepared.sha256,
    byteSize: prepared.byteSize,
    sopInstanceUid: prepared.sopInstanceUid,
    storagePath,
    reasonCode: failure.code,
    reason: failure.message,
  });
  ctx.logger.warn(
    {
      transport: request.transport,
      sender: request.sender,
      sopInstanceUid: prepared.sopInstanceUid,
      reasonCode: failure.code,
    },
    'object quarantined',
  );
  return {
    outcome: {
      status: 'quarantined',
      quarantineId,
      sopInstanceUid: prepared.sopInstanceUid,
      reasonCode: failure.code,
      reason: failure.message,
    },
  };
}

/** Failures that mean "valid DICOM, no dose in it": recorded and kept, not quarantined. */
const NOT_DOSE = new Set(['not_dose_report', 'unsupported_sop_class']);

/** Whether the object goes to the quarantine (unreadable, or failed extraction of a dose object). */
export function isQuarantined(prepared: PreparedObject): boolean {
  const { failure } = prepared;
  return failure !== undefined && !(NOT_DOSE.has(failure.code) && prepared.sopInstanceUid);
}

/** The object's row in the received-object ledger (source_objects). */
export function ledgerRow(
  request: Omit<IngestRequest, 'bytes'>,
  prepared: PreparedObject,
  storagePath: string,
  trustId: number,
): NewSourceObject {
  const { failure, extraction } = prepared;
  return {
    ...request,
    sopInstanceUid: prepared.sopInstanceUid ?? '',
    sopClassUid: prepared.sopClassUid,
    sha256: prepared.sha256,
    byteSize: prepared.byteSize,
    storagePath,
    trustId,
    status: failure ? 'not_dose' : 'extracted',
    errorCode: failure?.code,
    errorMessage: failure?.message,
    extractor: extraction?.extractor,
    extractorVersion: extraction?.extractorVersion,
    warnings: extraction?.report.warnings ?? [],
  };
}

/**
 * The outcome of an object that merges nothing: a repeat of a known SOP instance, or valid DICOM
 * without dose. Undefined when its report is to be merged.
 */
export function outcomeWithoutMerge(
  prepared: PreparedObject,
  source: { id: number; inserted: boolean },
  first: boolean,
): IngestOutcome | undefined {
  const sopInstanceUid = prepared.sopInstanceUid ?? '';
  if (!first || !source.inserted) return { status: 'duplicate', sopInstanceUid, sourceObjectId: source.id };
  if (prepared.failure || !prepared.extraction)
    return {
      status: 'not_dose',
      sopInstanceUid,
      sourceObjectId: source.id,
      reason: prepared.failure?.message ?? 'no dose content',
    };
  return undefined;
}

/** A prepared, stored object with its event rows, computed once (they also decide the partitions). */
export interface RecordItem extends PreparedCommit {
  readonly rows: readonly EventRow[];
}

export function withEventRows(commit: PreparedCommit): RecordItem {
  const report = commit.prepared.extraction?.report;
  return { ...commit, rows: report ? eventRows(report) : [] };
}

export async function recordObject(db: QueryRunner, ctx: IngestContext, item: RecordItem): Promise<Recorded> {
  const { request, prepared, storagePath } = item;
  const trust = await senderTrust(ctx, db, request.trustCode);
  if (isQuarantined(prepared)) return quarantine(db, ctx, request, prepared, storagePath, trust);
  const source = await insertSourceObject(db, ledgerRow(request, prepared, storagePath, trust.trustId));
  const settled = outcomeWithoutMerge(prepared, source, true);
  if (settled) return { outcome: settled };
  const { extraction } = prepared;
  if (!extraction) throw new Error('an extracted object without its report');
  return mergeReport(db, ctx, trust, source.id, extraction.report, item.rows);
}

export async function mergeReport(
  db: QueryRunner,
  ctx: IngestContext,
  trust: Trust,
  sourceObjectId: number,
  report: DoseReport,
  rows: readonly EventRow[],
): Promise<Recorded> {
  const deviceId = await cachedDevice(ctx, db, report, trust.trustId);
  const zones = zonesOf(ctx, trust);
  const patientId = await resolvePatient(db, patientKeys(report.patient, trust, ctx.patientIdSecret), trust.trustId, {
    birthYear: birthYear(report.patient),
    sex: normalisedSex(report.patient),
  });
  const study = await upsertStudy(db, report, {
    patientId,
    trustId: trust.trustId,
    deviceId,
    zones,
    accessionHash: accessionKey(ctx.patientIdSecret, trust.code, report.study.accessionNumber),
    notPatient:
      matchNotPatient(report.patient.patientName, report.patient.patientId, ctx.notPatientPatterns) !== undefined,
  });
  await linkSourceToStudy(db, sourceObjectId, study.studyId);
  const existing = await studyReports(db, study.studyId);
  // Source precedence (merge.ts): a better source displaces the events of worse ones already stored,
  // and a worse one arriving after a better one is recorded without events.
  const present = existing.map((r) => r.sourceKind);
  await dropEventsOfSources(db, study.studyId, displacedKinds(report.sourceKind, present));
  const accepted = isOutranked(report.sourceKind, present) ? [] : rows;
  const eventsAdded = await upsertEvents(
    db,
    { studyId: study.studyId, sourceObjectId, deviceId, sourceKind: report.sourceKind },
    accepted,
    eventInstants(report, accepted, zones),
  );
  const summary = summariseReport(report);
  const eventUids = accepted.map((r) => r.eventUid);
  await insertStudyReport(db, { studyId: study.studyId, sourceObjectId, report, eventUids, summary });
  // The reports read above plus this one: the study row lock keeps any other from arriving meanwhile.
  const totals = await studyTotals(db, study.studyId, [
    ...existing,
    { eventUids, summary, sourceKind: report.sourceKind },
  ]);
  await updateStudiesTotals(db, [{ studyId: study.studyId, totals, eventCount: undefined }]);
  const studyUpdated = { studyId: study.studyId, studyInstanceUid: report.study.studyInstanceUid };
  await studiesRecorded(db, ctx, [studyUpdated]);
  return {
    outcome: {
      status: 'stored',
      sopInstanceUid: report.sopInstanceUid,
      studyInstanceUid: report.study.studyInstanceUid,
      studyId: study.studyId,
      sourceObjectId,
      eventsAdded,
    },
    studyUpdated,
  };
}

/** The study's totals by the merge rules (ADR 0004); sums the stored events when reports overlap partly. */
export async function studyTotals(
  db: QueryRunner,
  studyId: number,
  reports: readonly StudyReportRow[],
): Promise<StudyTotals> {
  const decision = decideTotals(reports);
  if (decision.kind === 'reports') return decision.totals;
  const sums = await eventSums(db, studyId);
  return {
    totalDlpMgyCm: sums.dlp ?? undefined,
    totalDapGyCm2: sums.dap ?? undefined,
    totalDapPlaneAGyCm2: undefined,
    totalDapPlaneBGyCm2: undefined,
    totalDoseRpGy: sums.rp ?? undefined,
    totalAgdLeftMgy: undefined,
    totalAgdRightMgy: undefined,
    totalAgdMgy: sums.agd ?? undefined,
    totalActivityMbq: sums.activity ?? undefined,
  };
}
