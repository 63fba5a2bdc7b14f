import type pg from 'pg';
import { extractDoseReport, type DoseReport, type ObjectStore } from '../../ingest/index.ts';
import type { PatientIdSettings } from './expected.ts';
import { GYCM2_TO_GYM2, scale } from './openrem-view.ts';
import { peerView } from './run.ts';

/**
 * The peer's "studies" read from a Kerma store. Kerma keeps one study per Study Instance UID and
 * merges every report into it; the peer keeps one study per *report chain*: a cumulative RDSR
 * replaces the one it contains, a continuation with other events becomes a second study. Image
 * objects of one study UID are one peer study either way. This file rebuilds that grouping from
 * Kerma's study_reports, so the peer's scenario assertions can be checked against Kerma's store.
 */
type View = Record<string, unknown>;

interface ReportRow {
  readonly studyId: number;
  readonly sourceKind: string;
  readonly eventUids: string[];
  readonly sopInstanceUid: string;
  readonly storagePath: string;
  readonly totals: {
    dap: number | null;
    dapA: number | null;
    agdLeft: number | null;
    agdRight: number | null;
    dlp: number | null;
  };
}

const IMAGE_KINDS = new Set(['dx-image', 'mg-image', 'ct-image', 'nm-image', 'pet-image', 'philips-ct-dose-sc']);

async function reportRows(pool: pg.Pool): Promise<ReportRow[]> {
  const { rows } = await pool.query<{
    study_id: number;
    source_kind: string;
    event_uids: string[];
    sop_instance_uid: string;
    storage_path: string;
    dap: number | null;
    dap_a: number | null;
    agd_left: number | null;
    agd_right: number | null;
    dlp: number | null;
  }>(`
    SELECT r.study_id, r.source_kind, r.event_uids, o.sop_instance_uid, o.storage_path,
           s.total_dap_gycm2 AS dap, s.total_dap_plane_a_gycm2 AS dap_a, s.total_agd_left_mgy AS agd_left,
           s.total_agd_right_mgy AS agd_right, s.total_dlp_mgycm AS dlp
    FROM study_reports r JOIN source_objects o USING (source_object_id) JOIN studies s ON s.study_id = r.study_id
    ORDER BY r.study_id, r.study_report_id`);
  return rows.map((r) => ({
    studyId: r.study_id,
    sourceKind: r.source_kind,
    eventUids: r.event_uids,
    sopInstanceUid: r.sop_instance_uid,
    storagePath: r.storage_path,
    totals: { dap: r.dap, dapA: r.dap_a, agdLeft: r.agd_left, agdRight: r.agd_right, dlp: r.dlp },
  }));
}

const subset = (a: readonly string[], b: readonly string[]): boolean => a.every((x) => b.includes(x));

/** SR report chains of one study: each report not contained in a later or larger one heads a chain. */
function chains(reports: readonly ReportRow[]): ReportRow[][] {
  const heads = reports.filter(
    (r, i) =>
      !reports.some(
        (o, j) => j !== i && subset(r.eventUids, o.eventUids) && (o.eventUids.length > r.eventUids.length || j > i),
      ),
  );
  return heads.map((head) => reports.filter((r) => subset(r.eventUids, head.eventUids)));
}

async function load(objects: ObjectStore, row: ReportRow): Promise<DoseReport> {
  return extractDoseReport(await objects.read(row.storagePath)).report;
}

/** One peer study of image objects: header of the first image, one event per distinct exposure. */
async function imageStudy(
  objects: ObjectStore,
  rows: readonly ReportRow[],
  settings: PatientIdSettings,
): Promise<View> {
  const first = await load(objects, rows[0]!);
  const view = peerView(first, settings);
  const seen = new Set<string>();
  const events: unknown[] = [];
  for (const row of rows) {
    const fresh = row.eventUids.filter((uid) => !seen.has(uid));
    row.eventUids.forEach((uid) => seen.add(uid));
    if (fresh.length === 0) continue;
    events.push(...((peerView(await load(objects, row), settings).events as unknown[]) ?? []));
  }
  const t = rows[0]!.totals;
  const study = {
    ...(view.study as View),
    numberOfEvents: events.length,
    totalDap: scale(t.dap ?? undefined, GYCM2_TO_GYM2),
    totalDapA: scale(t.dap ?? undefined, GYCM2_TO_GYM2),
    totalAgdLeft: t.agdLeft ?? undefined,
    totalAgdRight: t.agdRight ?? undefined,
  };
  return {
    ...view,
    id: `${rows[0]!.studyId}`,
    study,
    events,
    processedObjects: { sopInstanceUids: rows.map((r) => r.sopInstanceUid) },
  };
}

interface ImportedSize {
  readonly heightM: number | null;
  readonly weightKg: number | null;
}

/** Sizes a patient-size import wrote (studies.patient_*_source = 'imported'), by study. */
async function importedSizes(pool: pg.Pool): Promise<Map<number, ImportedSize>> {
  const { rows } = await pool.query<{ study_id: string; height: number | null; weight: number | null }>(`
    SELECT study_id,
           CASE WHEN patient_height_source = 'imported' THEN patient_height_m END AS height,
           CASE WHEN patient_weight_source = 'imported' THEN patient_weight_kg END AS weight
      FROM studies WHERE patient_height_source IS NOT NULL OR patient_weight_source IS NOT NULL`);
  return new Map(rows.map((r) => [Number(r.study_id), { heightM: r.height, weightKg: r.weight }]));
}

/**
 * The peer reads a study's size from its patient module, which its size import fills; Kerma's view
 * of a report carries the report's own size, so a size the import wrote is laid over it.
 */
function withImportedSize(view: View, imported: ImportedSize | undefined): View {
  if (!imported) return view;
  const patient = (view.patient as View | undefined) ?? {};
  return {
    ...view,
    patient: {
      ...patient,
      ...(imported.heightM !== null ? { patientSize: imported.heightM } : {}),
      ...(imported.weightKg !== null ? { patientWeight: imported.weightKg } : {}),
    },
  };
}

export async function peerStudies(pool: pg.Pool, objects: ObjectStore, settings: PatientIdSettings): Promise<View[]> {
  const rows = await reportRows(pool);
  const imported = await importedSizes(pool);
  const byStudy = new Map<number, ReportRow[]>();
  for (const row of rows) byStudy.set(row.studyId, [...(byStudy.get(row.studyId) ?? []), row]);
  const studies: View[] = [];
  for (const reports of byStudy.values()) {
    if (reports.every((r) => IMAGE_KINDS.has(r.sourceKind))) {
      studies.push(
        withImportedSize(await imageStudy(objects, reports, settings), imported.get(Number(reports[0]!.studyId))),
      );
      continue;
    }
    for (const chain of chains(reports)) {
      const head = chain.reduce((a, b) => (b.eventUids.length >= a.eventUids.length ? b : a));
      const view = peerView(await load(objects, head), settings);
      studies.push(
        withImportedSize(
          {
            ...view,
            id: `${head.studyId}:${head.sopInstanceUid}`,
            processedObjects: { sopInstanceUids: chain.map((r) => r.sopInstanceUid) },
          },
          imported.get(Number(head.studyId)),
        ),
      );
    }
  }
  return studies;
}
