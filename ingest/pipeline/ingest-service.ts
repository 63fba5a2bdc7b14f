import { createHmac } from 'node:crypto';
import { UnavailableError, toError, type Logger, type QueryRunner, type TransactionRunner } from '../../core/index.ts';
import { matchNotPatient, type NotPatientPatterns } from '../extract/not-patient.ts';
import { summariseReport } from '../extract/summary.ts';
import type { DoseReport } from '../extract/types.ts';
import {
  FALLBACK_EVENT_TIME,
  dropImageAdministrations,
  studyLocalTime,
  eventRows,
  eventSums,
  upsertEvents,
} from '../store/events.ts';
import { decideTotals } from '../store/merge.ts';
import {
  deviceFingerprint,
  findTrust,
  resolvePatient,
  touchDevice,
  upsertDevice,
  type Trust,
} from '../store/reference.ts';
import { insertSourceObject, linkSourceToStudy, quarantineObject } from '../store/sources.ts';
import {
  insertStudyReport,
  studyReports,
  updateStudyTotals,
  upsertStudy,
  type StudyReportRow,
} from '../store/studies.ts';
import type { ObjectStore } from './object-store.ts';
import { birthYear, normalisedSex, patientKeys } from './patient-identity.ts';
import { prepareObject } from './prepare.ts';
import { STUDY_UPDATED_CHANNEL } from './study-events.ts';
import type { IngestOutcome, IngestRequest, IngestService, PreparedObject } from './types.ts';

export interface IngestDependencies {
  readonly transaction: TransactionRunner;
  /** Runs statements outside any transaction (partition creation must not share one). */
  readonly db: QueryRunner;
  readonly objects: ObjectStore;
  readonly logger: Logger;
  readonly patientIdSecret: string;
  /** Deployment time zone: DICOM dates and times are device-local and carry no zone. */
  readonly timeZone: string;
  readonly notPatientPatterns: NotPatientPatterns;
  /** Called after each commit that changed a study ("study updated"): analytics and alerts subscribe. */
  readonly onStudyUpdated?: (event: { studyId: number; studyInstanceUid: string }) => void;
}

/** Failures that mean "valid DICOM, no dose in it": recorded and kept, not quarantined. */
const NOT_DOSE = new Set(['not_dose_report', 'unsupported_sop_class']);

/** Database errors that mean "cannot store now, retry later" rather than "this object is bad". */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return (
    error instanceof UnavailableError ||
    /^(08|53|57P0[1-3])/.test(code) ||
    /ECONNREFUSED|ECONNRESET|timeout|terminat/i.test(String((error as Error).message))
  );
}

export function createIngestService(dependencies: IngestDependencies): IngestService & {
  commitPrepared: typeof commitPrepared;
  reprocessStudy: (studyId: number) => Promise<{ reports: number; events: number }>;
} {
  const deps: IngestContext = {
    ...dependencies,
    caches: { trust: new Map(), device: new Map(), partitions: new Set() },
    touched: [],
  };
  async function commitPrepared(
    request: Omit<IngestRequest, 'bytes'>,
    prepared: PreparedObject,
    storagePath: string,
  ): Promise<IngestOutcome> {
    try {
      await ensurePartitions(deps, prepared);
      const { outcome, studyUpdated } = await deps.transaction((db) =>
        record(db, deps, request, prepared, storagePath),
      );
      if (studyUpdated) deps.onStudyUpdated?.(studyUpdated);
      await touchSeenDevices(deps);
      return outcome;
    } catch (error) {
      // A device row created by the rolled-back transaction does not exist: forget cached ids.
      deps.caches.device.clear();
      if (isUnavailable(error))
        throw new UnavailableError(`database unavailable: ${toError(error).message}`, undefined, { cause: error });
      throw error;
    }
  }
  return {
    commitPrepared,
    reprocessStudy: (studyId) => reprocessStudy(deps, studyId),
    async ingestObject(request) {
      const prepared = prepareObject(request.bytes);
      // Bytes first: once the database says "stored", the object must be on disk.
      const storagePath = await deps.objects.put(prepared.sha256, request.bytes);
      return commitPrepared(request, prepared, storagePath);
    },
  };
}

async function touchSeenDevices(ctx: IngestContext): Promise<void> {
  for (const seen of ctx.touched.splice(0)) {
    await touchDevice(ctx.db, seen.deviceId, seen.softwareVersions).catch((error: unknown) =>
      ctx.logger.warn({ deviceId: seen.deviceId, err: (error as Error).message }, 'could not record device last seen'),
    );
  }
}

/**
 * Creates the month partitions the report's events need, each in its own short transaction before
 * the ingest transaction: CREATE TABLE … PARTITION OF locks the parent table, and doing it inside
 * the ingest transaction deadlocks concurrent ingests. A no-op on TimescaleDB.
 */
async function ensurePartitions(deps: IngestContext, prepared: PreparedObject): Promise<void> {
  const report = prepared.extraction?.report;
  if (!report) return;
  const studyTime = studyLocalTime(report);
  const months = new Set(
    eventRows(report).map((row) => (row.localTime ?? studyTime ?? FALLBACK_EVENT_TIME).slice(0, 7)),
  );
  for (const month of months) {
    // Partitions are never dropped: a month made once needs no round trip again in this process.
    if (deps.caches.partitions.has(month)) continue;
    await deps.db.query({
      text: 'SELECT kerma_ensure_event_partition($1::timestamp AT TIME ZONE $2)',
      values: [`${month}-15T00:00:00`, deps.timeZone],
    });
    deps.caches.partitions.add(month);
  }
}

/**
 * Trusts and devices change rarely but are read for every object: a bulk import of 100,000 reports
 * from a dozen rooms would otherwise spend a fifth of its round trips on them. Entries live for a
 * minute, so a renamed trust or a new "last seen" shows within that time.
 */
const CACHE_MS = 60_000;
interface Caches {
  readonly trust: Map<string, { trust: Trust | undefined; at: number }>;
  readonly device: Map<string, { deviceId: number; at: number }>;
  /** Months whose event partition is known to exist (plain PostgreSQL; a no-op on TimescaleDB). */
  readonly partitions: Set<string>;
}

/** The dependencies plus per-service caches (never shared between services: ids are per database). */
type IngestContext = IngestDependencies & {
  readonly caches: Caches;
  /** Devices to mark as seen once the transaction has committed. */
  readonly touched: Array<{ deviceId: number; softwareVersions: string | undefined }>;
};

async function cachedTrust(ctx: IngestContext, db: QueryRunner, code: string): Promise<Trust | undefined> {
  const trustCache = ctx.caches.trust;
  const hit = trustCache.get(code);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.trust;
  const trust = await findTrust(db, code);
  if (trust) trustCache.set(code, { trust, at: Date.now() });
  return trust;
}

async function cachedDevice(ctx: IngestContext, db: QueryRunner, report: DoseReport, trustId: number): Promise<number> {
  const deviceCache = ctx.caches.device;
  const key = `${trustId}:${deviceFingerprint(report.device)}`;
  const hit = deviceCache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.deviceId;
  const deviceId = await upsertDevice(db, report.device, trustId);
  deviceCache.set(key, { deviceId, at: Date.now() });
  ctx.touched.push({ deviceId, softwareVersions: report.device.softwareVersions });
  return deviceId;
}

type Recorded = { outcome: IngestOutcome; studyUpdated?: { studyId: number; studyInstanceUid: string } };

async function record(
  db: QueryRunner,
  deps: IngestContext,
  request: Omit<IngestRequest, 'bytes'>,
  prepared: PreparedObject,
  storagePath: string,
): Promise<Recorded> {
  const trust = (await cachedTrust(deps, db, request.trustCode)) ?? (await cachedTrust(deps, db, 'DEFAULT'));
  if (!trust) throw new Error('the DEFAULT trust is missing: run migrations');
  const { failure, extraction } = prepared;
  if (failure && !(NOT_DOSE.has(failure.code) && prepared.sopInstanceUid)) {
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
    deps.logger.warn(
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
  const source = await insertSourceObject(db, {
    ...request,
    sopInstanceUid: prepared.sopInstanceUid ?? '',
    sopClassUid: prepared.sopClassUid,
    sha256: prepared.sha256,
    byteSize: prepared.byteSize,
    storagePath,
    trustId: trust.trustId,
    status: failure ? 'not_dose' : 'extracted',
    errorCode: failure?.code,
    errorMessage: failure?.message,
    extractor: extraction?.extractor,
    extractorVersion: extraction?.extractorVersion,
    warnings: extraction?.report.warnings ?? [],
  });
  const sopInstanceUid = prepared.sopInstanceUid ?? '';
  if (!source.inserted) return { outcome: { status: 'duplicate', sopInstanceUid, sourceObjectId: source.id } };
  if (failure || !extraction) {
    return {
      outcome: {
        status: 'not_dose',
        sopInstanceUid,
        sourceObjectId: source.id,
        reason: failure?.message ?? 'no dose content',
      },
    };
  }
  return mergeReport(db, deps, trust, source.id, extraction.report);
}

async function mergeReport(
  db: QueryRunner,
  deps: IngestContext,
  trust: Trust,
  sourceObjectId: number,
  report: DoseReport,
): Promise<Recorded> {
  const deviceId = await cachedDevice(deps, db, report, trust.trustId);
  const patientId = await resolvePatient(db, patientKeys(report.patient, trust, deps.patientIdSecret), trust.trustId, {
    birthYear: birthYear(report.patient),
    sex: normalisedSex(report.patient),
  });
  const accession = report.study.accessionNumber;
  const study = await upsertStudy(db, report, {
    patientId,
    trustId: trust.trustId,
    deviceId,
    timeZone: deps.timeZone,
    accessionHash: accession
      ? createHmac('sha256', deps.patientIdSecret).update(`accession:${trust.code}|${accession}`).digest('hex')
      : undefined,
    notPatient:
      matchNotPatient(report.patient.patientName, report.patient.patientId, deps.notPatientPatterns) !== undefined,
  });
  await linkSourceToStudy(db, sourceObjectId, study.studyId);
  const rows = eventRows(report);
  const existing = await studyReports(db, study.studyId);
  const isImageAdministration = report.sourceKind === 'nm-image' || report.sourceKind === 'pet-image';
  const rrdsrPresent = existing.some((r) => r.sourceKind === 'radiopharmaceutical-rdsr');
  if (report.sourceKind === 'radiopharmaceutical-rdsr') await dropImageAdministrations(db, study.studyId);
  const accepted = isImageAdministration && rrdsrPresent ? [] : rows;
  const eventsAdded = await upsertEvents(
    db,
    {
      studyId: study.studyId,
      sourceObjectId,
      deviceId,
      sourceKind: report.sourceKind,
      timeZone: deps.timeZone,
      studyLocalTime: studyLocalTime(report),
    },
    accepted,
  );
  const summary = summariseReport(report);
  const eventUids = accepted.map((r) => r.eventUid);
  await insertStudyReport(db, { studyId: study.studyId, sourceObjectId, report, eventUids, summary });
  // The reports read above plus this one: the study row lock keeps any other from arriving meanwhile.
  await recomputeTotals(db, study.studyId, [...existing, { eventUids, summary, sourceKind: report.sourceKind }]);
  await db.query({
    text: 'SELECT pg_notify($1, $2)',
    values: [
      STUDY_UPDATED_CHANNEL,
      JSON.stringify({ studyId: study.studyId, studyInstanceUid: report.study.studyInstanceUid }),
    ],
  });
  return {
    outcome: {
      status: 'stored',
      sopInstanceUid: report.sopInstanceUid,
      studyInstanceUid: report.study.studyInstanceUid,
      studyId: study.studyId,
      sourceObjectId,
      eventsAdded,
    },
    studyUpdated: { studyId: study.studyId, studyInstanceUid: report.study.studyInstanceUid },
  };
}

async function recomputeTotals(db: QueryRunner, studyId: number, reports: readonly StudyReportRow[]): Promise<void> {
  const decision = decideTotals(reports);
  if (decision.kind === 'reports') {
    await updateStudyTotals(db, studyId, decision.totals);
    return;
  }
  const sums = await eventSums(db, studyId);
  await updateStudyTotals(db, studyId, {
    totalDlpMgyCm: sums.dlp ?? undefined,
    totalDapGyCm2: sums.dap ?? undefined,
    totalDapPlaneAGyCm2: undefined,
    totalDapPlaneBGyCm2: undefined,
    totalDoseRpGy: sums.rp ?? undefined,
    totalAgdLeftMgy: undefined,
    totalAgdRightMgy: undefined,
    totalAgdMgy: sums.agd ?? undefined,
    totalActivityMbq: sums.activity ?? undefined,
  });
}

/**
 * Re-extracts every object of a study from its stored bytes (after an extractor upgrade) and merges
 * them again, in the order they arrived, in one transaction: the study never shows half a rebuild.
 * If any object no longer extracts, nothing changes and the error says which.
 */
async function reprocessStudy(deps: IngestContext, studyId: number): Promise<{ reports: number; events: number }> {
  const { rows } = await deps.db.query<{ source_object_id: number; storage_path: string; trust_id: number | null }>({
    text: `SELECT source_object_id, storage_path, trust_id FROM source_objects
           WHERE study_id = $1 AND status = 'extracted' ORDER BY received_at, source_object_id`,
    values: [studyId],
  });
  const prepared: Array<{ sourceObjectId: number; trustId: number | null; prepared: PreparedObject }> = [];
  for (const row of rows) {
    const object = prepareObject(await deps.objects.read(row.storage_path));
    if (!object.extraction)
      throw new Error(`object ${row.source_object_id} no longer extracts: ${object.failure?.message ?? 'unknown'}`);
    await ensurePartitions(deps, object);
    prepared.push({ sourceObjectId: row.source_object_id, trustId: row.trust_id, prepared: object });
  }
  return deps.transaction(async (db) => {
    await db.query({ text: 'DELETE FROM irradiation_events WHERE study_id = $1', values: [studyId] });
    await db.query({ text: 'DELETE FROM study_reports WHERE study_id = $1', values: [studyId] });
    let events = 0;
    for (const item of prepared) {
      const extraction = item.prepared.extraction!;
      const trust = (await trustById(db, item.trustId)) ?? (await findTrust(db, 'DEFAULT'));
      if (!trust) throw new Error('the DEFAULT trust is missing: run migrations');
      const merged = await mergeReport(db, deps, trust, item.sourceObjectId, extraction.report);
      if (merged.outcome.status === 'stored') events += merged.outcome.eventsAdded;
      await db.query({
        text: 'UPDATE source_objects SET extractor = $2, extractor_version = $3, warnings = $4 WHERE source_object_id = $1',
        values: [item.sourceObjectId, extraction.extractor, extraction.extractorVersion, extraction.report.warnings],
      });
    }
    return { reports: prepared.length, events };
  });
}

async function trustById(db: QueryRunner, trustId: number | null): Promise<Trust | undefined> {
  if (trustId === null) return undefined;
  const { rows } = await db.query<{ code: string }>({
    text: 'SELECT code FROM trusts WHERE trust_id = $1',
    values: [trustId],
  });
  return rows[0] ? findTrust(db, rows[0].code) : undefined;
}
