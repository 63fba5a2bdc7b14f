import { accessionKey, patientAgeYears } from '../ingest/index.ts';
import type { RegionModel } from './model.ts';
import type { Patient } from './patients.ts';
import { ds } from './sr-content.ts';
import type { ZonedClock } from './time.ts';
import type { SynthEvent, SynthExam } from './types.ts';

/**
 * Rows of the ingest store for one synthetic exam, in COPY text format, with exactly the values the
 * ingest path stores for the same exam's DICOM report (totals as summariseReport and decideTotals
 * compute them, event rows as eventRows builds them, DAP through its Gy·m² DS form), so that a
 * directly loaded region and an ingested one look alike to every query.
 */
export const STUDY_COLUMNS = [
  'study_id',
  'study_instance_uid',
  'patient_id',
  'trust_id',
  'device_id',
  'modality',
  'modalities',
  'study_datetime',
  'time_basis',
  'time_zone',
  'accession_hash',
  'study_description',
  'procedure_code',
  'patient_age_years',
  'patient_weight_kg',
  'patient_height_m',
  'total_dlp_mgycm',
  'total_dap_gycm2',
  'total_dap_plane_a_gycm2',
  'total_dose_rp_gy',
  'total_agd_mgy',
  'total_agd_left_mgy',
  'total_agd_right_mgy',
  'total_activity_mbq',
  'event_count',
] as const;

export const EVENT_COLUMNS = [
  'event_id',
  'occurred_at',
  'study_id',
  'irradiation_event_uid',
  'modality',
  'event_kind',
  'acquisition_protocol',
  'target_region',
  'ctdivol_mgy',
  'dlp_mgycm',
  'dap_gycm2',
  'dose_rp_gy',
  'agd_mgy',
  'administered_activity_mbq',
  'details',
  'source_kind',
  'device_id',
] as const;

/** The identity row of each event (irradiation_event_keys, ADR 0005). */
export const EVENT_KEY_COLUMNS = ['study_id', 'irradiation_event_uid', 'occurred_at'] as const;

export function eventKeyLines(exam: SynthExam, studyId: number): string {
  return exam.events.map((e) => copyLine([studyId, e.uid, new Date(e.startUtcMs).toISOString()])).join('');
}

type Cell = string | number | undefined | null;

/** COPY text format (PS: PostgreSQL COPY, "Text Format"): tab-separated, \N for NULL, backslash escapes. */
export function copyLine(cells: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) {
    const cell = cells[i];
    if (i > 0) line += '\t';
    if (cell === undefined || cell === null) line += '\\N';
    else if (typeof cell === 'number') line += String(cell);
    else line += /[\\\t\n\r]/.test(cell) ? cell.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : cell;
  }
  return `${line}\n`;
}
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** The value ingest reads back from the DS the writer puts in the file (DAP is written in Gy·m²). */
const dapAsStored = (dapGyCm2: number): number => Number(ds(dapGyCm2 / 10_000)) * 10_000;
const asStored = (value: number): number => Number(ds(value));

function sumOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

interface Totals {
  dlp?: number;
  dap?: number;
  dapPlaneA?: number;
  rp?: number;
  agd?: number;
  agdLeft?: number;
  agdRight?: number;
  activity?: number;
}

/** Study totals as summariseReport + decideTotals derive them from the report's accumulated rows. */
function totalsOf(exam: SynthExam): Totals {
  const events = exam.events;
  switch (exam.procedure.modality) {
    case 'CT':
      return { dlp: asStored(sumOf(events.map((e) => (e.kind === 'ct' ? e.dlpMgyCm : 0))) ?? 0) };
    case 'NM':
      return { activity: sumOf(events.map((e) => (e.kind === 'nm' ? asStored(e.activityMbq) : undefined))) };
    case 'MG': {
      const agd = (side: string): number | undefined => {
        const views = events.filter((e) => e.kind === 'projection' && e.laterality === side);
        return views.length === 0
          ? undefined
          : asStored(sumOf(views.map((e) => (e.kind === 'projection' ? e.agdMgy : 0))) ?? 0);
      };
      const [left, right] = [agd('left'), agd('right')];
      // A report without DAP rows has no total DAP (unknown, not 0: summariseReport's rule).
      return { agdLeft: left, agdRight: right, agd: sumOf([left, right]) };
    }
    case 'RF':
    case 'DX': {
      const dap = dapAsStored(sumOf(events.map((e) => (e.kind === 'projection' ? e.dapGyCm2 : 0))) ?? 0);
      const rp =
        exam.procedure.modality === 'RF'
          ? asStored(sumOf(events.map((e) => (e.kind === 'projection' ? e.doseRpGy : 0))) ?? 0)
          : undefined;
      return { dap, dapPlaneA: dap, rp };
    }
  }
}

export interface StudyRefs {
  readonly studyId: number;
  readonly patientId: number | undefined;
  readonly trustId: number;
  readonly deviceId: number;
  readonly secret: string;
}

export function studyLine(
  model: RegionModel,
  exam: SynthExam,
  patient: Patient,
  refs: StudyRefs,
  clock: ZonedClock,
): string {
  const t = totalsOf(exam);
  const studyDate = new Date(clock.localOf(exam.startUtcMs)).toISOString().slice(0, 10);
  const birth = `${patient.birthDate.slice(0, 4)}-${patient.birthDate.slice(4, 6)}-${patient.birthDate.slice(6)}`;
  const modality = exam.procedure.modality;
  const code = exam.procedure.code;
  return copyLine([
    refs.studyId,
    exam.studyUid,
    refs.patientId,
    refs.trustId,
    refs.deviceId,
    modality,
    `{${modality}}`,
    new Date(exam.startUtcMs).toISOString(),
    // The generated objects state no UTC offset and its trusts file names no zone: the deployment's.
    'default-zone',
    model.options.timeZone,
    accessionKey(refs.secret, exam.trust.code, exam.accessionNumber),
    exam.procedure.name,
    `${code[1]}:${code[0]}`,
    patientAgeYears(birth, studyDate, undefined),
    asStored(exam.patientWeightKg),
    asStored(exam.patientHeightM),
    t.dlp,
    t.dap,
    t.dapPlaneA,
    t.rp,
    t.agd,
    t.agdLeft,
    t.agdRight,
    t.activity,
    exam.events.length,
  ]);
}

/** The few event facts dashboards read, under the field names of the normalised event (details column). */
function detailsOf(e: SynthEvent): string {
  switch (e.kind) {
    case 'ct':
      return JSON.stringify({
        scanningLengthMm: e.scanningLengthMm,
        pitchFactor: e.pitchFactor,
        exposureTimeS: e.exposureTimeS,
        kvp: e.kvp,
        synthetic: true,
      });
    case 'projection':
      return JSON.stringify({
        kvp: e.kvp,
        exposureTimeMs: e.exposureTimeMs,
        numberOfPulses: e.pulses,
        compressionThicknessMm: e.compressionThicknessMm,
        synthetic: true,
      });
    case 'nm':
      return JSON.stringify({
        radiopharmaceuticalAgent: { value: e.agent[0], scheme: e.agent[1], meaning: e.agent[2] },
        synthetic: true,
      });
  }
}

const SOURCE_KIND = {
  CT: 'ct-rdsr',
  NM: 'radiopharmaceutical-rdsr',
  RF: 'projection-rdsr',
  DX: 'projection-rdsr',
  MG: 'projection-rdsr',
} as const;

export function eventLines(exam: SynthExam, studyId: number, deviceId: number, nextEventId: () => number): string {
  const modality = exam.procedure.modality;
  const sourceKind = SOURCE_KIND[modality];
  let lines = '';
  for (const e of exam.events) {
    const at = new Date(e.startUtcMs).toISOString();
    const common = [nextEventId(), at, studyId, e.uid] as const;
    const tail = [detailsOf(e), sourceKind, deviceId] as const;
    if (e.kind === 'ct') {
      lines += copyLine([
        ...common,
        'CT',
        'ct',
        e.protocol,
        e.target[2],
        asStored(e.ctdiVolMgy),
        asStored(e.dlpMgyCm),
        null,
        null,
        null,
        null,
        ...tail,
      ]);
    } else if (e.kind === 'projection') {
      const dap = e.dapGyCm2 === undefined ? undefined : dapAsStored(e.dapGyCm2);
      const agd = e.agdMgy === undefined ? undefined : asStored(e.agdMgy);
      const rp = e.doseRpGy === undefined ? undefined : asStored(e.doseRpGy);
      lines += copyLine([
        ...common,
        modality,
        'projection',
        e.protocol,
        e.target[2],
        null,
        null,
        dap,
        rp,
        agd,
        null,
        ...tail,
      ]);
    } else {
      lines += copyLine([
        ...common,
        'NM',
        'radiopharmaceutical',
        e.agent[2],
        null,
        null,
        null,
        null,
        null,
        null,
        asStored(e.activityMbq),
        ...tail,
      ]);
    }
  }
  return lines;
}
