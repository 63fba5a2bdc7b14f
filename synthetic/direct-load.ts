import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { mapStudies } from '../analytics/index.ts';
import type { QueryRunner } from '../core/index.ts';
import {
  EVENT_COLUMNS,
  EVENT_KEY_COLUMNS,
  STUDY_ROW_COLUMNS,
  accessionKey,
  firstReportRows,
  patientKeys,
  upsertDevice,
  type Column,
  type DoseReport,
  type ZoneSettings,
} from '../ingest/index.ts';
import { copyLine, copyRecord } from './copy-text.ts';
import { roomDevice, synthDoseReport } from './dose-report.ts';
import type { RegionModel, Trust } from './model.ts';
import { identityRules, patientAt, type Patient } from './patients.ts';
import { ZonedClock, DAY_MS } from './time.ts';
import type { SynthExam, SynthOrder } from './types.ts';

/**
 * Bulk load of a synthetic region straight into the ingest store with COPY, for scale fixtures
 * (10 M studies) where the DICOM path would take days. Writes trusts, devices (same fingerprints as
 * ingest), patients and patient_identifiers (keys from patientKeys with the deployment secret, so
 * the data links up exactly as ingested data would), studies, irradiation_events with their keys,
 * and orders. Each exam's studies and events rows are the ingest store's own (firstReportRows), made
 * from the dose report the extractors would read from the exam's DICOM file (dose-report.ts): the
 * COPY here only encodes them, in the store's column lists.
 * Not written: source_objects and study_reports (no DICOM object exists; a report later ingested
 * for a directly loaded study merges as a first report), and the raw object store.
 * Expects a database that does not hold this region yet, and no concurrent writer: ids are
 * assigned here, above the current maximum, and the identity sequences moved past them at the end.
 */
export interface DirectLoadOptions {
  readonly pool: pg.Pool;
  readonly patientIdSecret: string;
  /** Exams per COPY transaction: large enough to amortise commits, small enough to keep memory flat. */
  readonly batchExams?: number;
  readonly onProgress?: (loaded: { exams: number; events: number }) => void;
}

export interface DirectLoadResult {
  readonly studies: number;
  readonly events: number;
  readonly patients: number;
  readonly identifiers: number;
  readonly orders: number;
  readonly seconds: number;
}

/** A session lock so two loaders never assign the same ids ("kerma-synthetic" as a number). */
const LOAD_LOCK_KEY = 0x6b73796e74;
const DEFAULT_BATCH = 20_000;

interface LoadState {
  readonly model: RegionModel;
  readonly clock: ZonedClock;
  readonly secret: string;
  /** The generated objects state no UTC offset and its trusts file names no zone: the deployment's. */
  readonly zones: ZoneSettings;
  readonly trustIds: readonly number[];
  readonly deviceIds: readonly number[];
  readonly base: { study: number; patient: number };
  /** Per patient, a bit per trust whose local key is stored (any bit: the patient row exists). */
  readonly known: Uint32Array;
  studies: number;
  events: number;
  patients: number;
  identifiers: number;
}

async function upsertTrusts(client: pg.ClientBase, trusts: readonly Trust[]): Promise<number[]> {
  const ids: number[] = [];
  for (const t of trusts) {
    const { rows } = await client.query<{ trust_id: number }>(
      `INSERT INTO trusts (code, name, nhs_number_source, nhs_number_issuer, local_id_issuer)
       VALUES ($1, $2, 'other_patient_ids', $3, $4)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING trust_id`,
      [t.code, t.name, identityRules(t).nhsNumberIssuer, t.localIdIssuer],
    );
    await client.query(
      `INSERT INTO dicom_calling_ae_titles (ae_title, trust_id) VALUES ($1, $2) ON CONFLICT (ae_title) DO NOTHING`,
      [t.aeTitle, rows[0]?.trust_id],
    );
    ids.push(rows[0]?.trust_id ?? 0);
  }
  return ids;
}

/** Month partitions for the whole period, each in its own statement outside any COPY transaction. */
async function ensurePartitions(client: pg.ClientBase, model: RegionModel): Promise<void> {
  const end = model.startLocalMs + (model.days + 1) * DAY_MS;
  for (let t = model.startLocalMs - DAY_MS; t < end + 31 * DAY_MS; t += 27 * DAY_MS) {
    await client.query('SELECT kerma_ensure_event_partition($1)', [new Date(t).toISOString()]);
  }
}

async function idBases(client: pg.ClientBase): Promise<LoadState['base']> {
  const { rows } = await client.query<{ study: number; patient: number }>(
    `SELECT (SELECT coalesce(max(study_id), 0) FROM studies)::bigint AS study,
            (SELECT coalesce(max(patient_id), 0) FROM patients)::bigint AS patient`,
  );
  return rows[0] ?? { study: 0, patient: 0 };
}

/**
 * The patient row id ingest would link this exam to: one per person with an NHS number (the key
 * every trust shares); without one, ingest cannot link trusts, so each trust has its own patient.
 */
function patientIdOf(s: LoadState, patient: Patient, trust: Trust): number {
  if (patient.nhsNumber) return s.base.patient + patient.index + 1;
  return s.base.patient + s.model.population + patient.index * s.model.trusts.length + trust.index + 1;
}

function patientLines(
  s: LoadState,
  exam: SynthExam,
  patient: Patient,
  report: DoseReport,
  out: { patients: string[]; keys: string[] },
): void {
  const bit = 1 << exam.trust.index;
  const seen = s.known[patient.index] ?? 0;
  if (seen & bit) return;
  const patientId = patientIdOf(s, patient, exam.trust);
  const newPerson = patient.nhsNumber ? seen === 0 : true;
  if (newPerson) {
    out.patients.push(copyLine([patientId, Number(patient.birthDate.slice(0, 4)), patient.sex]));
    s.patients += 1;
  }
  for (const key of patientKeys(report.patient, identityRules(exam.trust), s.secret)) {
    if (key.kind === 'nhs_number' && seen !== 0) continue;
    out.keys.push(
      copyLine([key.hash, patientId, key.kind, key.kind === 'local' ? s.trustIds[exam.trust.index] : null]),
    );
    s.identifiers += 1;
  }
  s.known[patient.index] = seen | bit;
}

async function copyInto(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[] | readonly Column[],
  lines: readonly string[],
): Promise<void> {
  if (lines.length === 0) return;
  const names = columns.map((c) => (typeof c === 'string' ? c : c.name));
  const stream = client.query(copyFrom(`COPY ${table} (${names.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunksOf(lines)), stream);
}

/**
 * Lines joined into chunks of about COPY_CHUNK_CHARS: each chunk is one CopyData message and one
 * stream write, and a line each (over a million per batch of events and keys) spent more time in
 * the stream machinery than in PostgreSQL.
 */
const COPY_CHUNK_CHARS = 256 * 1024;

function* chunksOf(lines: readonly string[]): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

interface BatchLines {
  readonly patients: string[];
  readonly keys: string[];
  readonly studies: string[];
  readonly events: string[];
  readonly eventKeys: string[];
}

/** The exam's rows: its study and events as the ingest store makes them from the exam's dose report. */
function examLines(s: LoadState, exam: SynthExam, out: BatchLines): void {
  const patient = patientAt(s.model, exam.patientIndex);
  const report = synthDoseReport(s.model, exam, s.clock, patient);
  patientLines(s, exam, patient, report, out);
  const rows = firstReportRows(report, {
    studyId: s.base.study + exam.sequence + 1,
    patientId: patientIdOf(s, patient, exam.trust),
    trustId: s.trustIds[exam.trust.index] ?? 0,
    deviceId: s.deviceIds[exam.room.index] ?? 0,
    accessionHash: accessionKey(s.secret, exam.trust.code, report.study.accessionNumber),
    // Generated names and IDs never match quality-control or phantom patterns.
    notPatient: false,
    zones: s.zones,
  });
  out.studies.push(copyRecord(STUDY_ROW_COLUMNS, rows.study));
  for (const event of rows.events) {
    out.events.push(copyRecord(EVENT_COLUMNS, event));
    out.eventKeys.push(copyRecord(EVENT_KEY_COLUMNS, event));
  }
  s.events += rows.events.length;
}

async function loadBatch(client: pg.ClientBase, s: LoadState, batch: readonly SynthExam[]): Promise<void> {
  const out: BatchLines = { patients: [], keys: [], studies: [], events: [], eventKeys: [] };
  for (const exam of batch) examLines(s, exam, out);
  await client.query('BEGIN');
  try {
    await copyInto(client, 'patients', ['patient_id', 'birth_year', 'sex'], out.patients);
    await copyInto(client, 'patient_identifiers', ['identifier_hash', 'patient_id', 'kind', 'trust_id'], out.keys);
    await copyInto(client, 'studies', STUDY_ROW_COLUMNS, out.studies);
    // event_id is left to the table's identity, as ingest leaves it.
    await copyInto(client, 'irradiation_events', EVENT_COLUMNS, out.events);
    await copyInto(client, 'irradiation_event_keys', EVENT_KEY_COLUMNS, out.eventKeys);
    // The standard procedure mapping ingest would do in its transaction (docs/adr/0013).
    await mapStudies(runnerOf(client), { studyIds: batch.map((exam) => s.base.study + exam.sequence + 1) });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  s.studies += batch.length;
}

async function loadOrders(client: pg.ClientBase, s: LoadState, orders: readonly SynthOrder[]): Promise<void> {
  const lines = orders.map((o) => {
    const patient = patientAt(s.model, o.patientIndex);
    // An order for someone the region has never imaged (at this trust, without an NHS number) names
    // nobody Kerma knows yet: its patient stays empty, as an order from RIS would resolve to no one.
    const seen = s.known[o.patientIndex] ?? 0;
    const known = patient.nhsNumber ? seen !== 0 : (seen & (1 << o.trust.index)) !== 0;
    const p = o.procedure;
    return copyLine([
      s.trustIds[o.trust.index],
      known ? patientIdOf(s, patient, o.trust) : null,
      o.placerOrderNumber,
      o.fillerOrderNumber,
      `${p.code[1]}:${p.code[0]}`,
      p.name,
      p.modality,
      p.bodyRegion,
      new Date(o.scheduledUtcMs).toISOString(),
      o.status,
    ]);
  });
  const columns = [
    'trust_id',
    'patient_id',
    'placer_order_number',
    'filler_order_number',
    'requested_procedure_code',
    'requested_procedure_text',
    'modality',
    'body_region',
    'scheduled_at',
    'status',
  ];
  await copyInto(client, 'orders', columns, lines);
}

async function finish(client: pg.ClientBase): Promise<void> {
  for (const [table, column] of [
    ['studies', 'study_id'],
    ['patients', 'patient_id'],
  ]) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), greatest((SELECT max(${column}) FROM ${table}), 1))`,
    );
  }
  // Planner statistics for the benchmarks that follow a load.
  await client.query(
    'ANALYZE studies, irradiation_events, irradiation_event_keys, patients, patient_identifiers, orders',
  );
}

function runnerOf(client: pg.ClientBase): QueryRunner {
  return {
    query: async <R extends pg.QueryResultRow>(q: { text: string; values?: readonly unknown[] }) => {
      const result = await client.query<R>({ text: q.text, values: q.values as unknown[] | undefined });
      return { rows: result.rows, rowCount: result.rowCount };
    },
  };
}

async function prepare(client: pg.ClientBase, model: RegionModel, secret: string): Promise<LoadState> {
  await ensurePartitions(client, model);
  const trustIds = await upsertTrusts(client, model.trusts);
  const runner = runnerOf(client);
  const deviceIds: number[] = [];
  for (const room of model.rooms)
    deviceIds.push(await upsertDevice(runner, roomDevice(room), trustIds[room.trustIndex] ?? 0));
  return {
    model,
    clock: new ZonedClock(model.options.timeZone),
    secret,
    zones: { trustZone: undefined, defaultZone: model.options.timeZone },
    trustIds,
    deviceIds,
    base: await idBases(client),
    known: new Uint32Array(model.population),
    studies: 0,
    events: 0,
    patients: 0,
    identifiers: 0,
  };
}

export async function directLoad(
  model: RegionModel,
  stream: { exams: Iterable<SynthExam>; orders(): readonly SynthOrder[] },
  options: DirectLoadOptions,
): Promise<DirectLoadResult> {
  const started = performance.now();
  const client = await options.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK_KEY]);
    const state = await prepare(client, model, options.patientIdSecret);
    let batch: SynthExam[] = [];
    for (const exam of stream.exams) {
      batch.push(exam);
      if (batch.length < (options.batchExams ?? DEFAULT_BATCH)) continue;
      await loadBatch(client, state, batch);
      batch = [];
      options.onProgress?.({ exams: state.studies, events: state.events });
    }
    await loadBatch(client, state, batch);
    const orders = stream.orders();
    await loadOrders(client, state, orders);
    await finish(client);
    const { studies, events, patients, identifiers } = state;
    return {
      studies,
      events,
      patients,
      identifiers,
      orders: orders.length,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
