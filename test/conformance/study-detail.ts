import type pg from 'pg';
import { queryRunner } from '../../app/db/pool.ts';
import { loadStudyDetail, type ProjectionTotalsRow } from '../../dashboard/index.ts';
import type { Resolution } from './resolve.ts';

/**
 * The peer's study detail views, mapped onto Kerma's study service (dashboard/study, the same use
 * case as the study page and GET /api/v1/studies/:studyId). Today: `detail[<label> <date>].studyTotals`,
 * the RF detail view's "study totals" table, rows [label, DAP (cGy·cm²), dose at RP (Gy), time (s)].
 *
 * Kerma keeps DAP in Gy·cm² and doubles; the peer shows cGy·cm² from Decimal columns of fixed
 * precision and its test compares those Decimals exactly. The mapping therefore converts units here
 * (never in the store) and rounds each value to the column the peer read it from, which removes
 * only representation, not disagreement: a value off by more than the peer's last digit still fails.
 * Peer columns: accumulated TID 10004/10007 DAP and dose at RP 12 decimals of Gy·m² and Gy, fluoro
 * time 2 decimals of s, acquisition time 8; per-event DAP 10 decimals of Gy·m², dose at RP 12,
 * irradiation duration 8 (so a per-type row, a sum of such values, has those decimals too).
 */
const GYCM2_TO_CGYCM2 = 100;
/** Decimals of cGy·cm² that 12 and 10 decimals of Gy·m² give (1 Gy·m² = 10⁶ cGy·cm²). */
const DAP_DECIMALS = { accumulated: 6, event: 4 } as const;
const DOSE_RP_DECIMALS = 12;
const TIME_DECIMALS: Readonly<Record<ProjectionTotalsRow['kind'], number>> = {
  fluoroscopy: 2,
  acquisition: 8,
  'acquisition-type': 8,
  total: 8,
};

function quantise(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function peerTotalsRow(row: ProjectionTotalsRow): [string, number | null, number | null, number | null] {
  const dapDecimals = row.kind === 'acquisition-type' ? DAP_DECIMALS.event : DAP_DECIMALS.accumulated;
  return [
    row.label,
    quantise(row.dapGyCm2 === null ? null : row.dapGyCm2 * GYCM2_TO_CGYCM2, dapDecimals),
    quantise(row.doseRpGy, DOSE_RP_DECIMALS),
    quantise(row.timeS, TIME_DECIMALS[row.kind]),
  ];
}

/**
 * The study a selector names: the peer's tests name it by a device word and the study date. Kerma
 * picks the study of that local date (Europe/London, the scenarios' zone); of several, the one
 * whose manufacturer, model or station holds the word.
 */
async function selectStudy(pool: pg.Pool, label: string, date: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ study_id: number; device: string }>(
    `SELECT s.study_id, concat_ws(' ', d.manufacturer, d.model_name, d.station_name) AS device
       FROM studies s LEFT JOIN devices d ON d.device_id = s.device_id
      WHERE (s.study_datetime AT TIME ZONE 'Europe/London')::date = $1::date`,
    [date],
  );
  if (rows.length === 1) return rows[0]!.study_id;
  const named = rows.filter((r) => r.device.toLowerCase().includes(label.toLowerCase()));
  return named.length === 1 ? named[0]!.study_id : undefined;
}

/** Resolves a `detail[...]` path, or answers undefined when the path is not one of these views. */
export async function resolveStudyDetail(pool: pg.Pool, path: string): Promise<Resolution | undefined> {
  const m = /^detail\[(.+) (\d{4}-\d{2}-\d{2})\]\.(\w+)$/.exec(path);
  if (!m) return undefined;
  const [, label, date, view] = m;
  if (view !== 'studyTotals') return { mapped: false, value: undefined, missing: `detail view ${view}` };
  const studyId = await selectStudy(pool, label!, date!);
  if (studyId === undefined) return { mapped: true, value: undefined };
  // The harness reads as the operator: every trust.
  const trusts = await pool.query<{ trust_id: number }>('SELECT trust_id FROM trusts');
  const detail = await loadStudyDetail(queryRunner(pool), {
    studyId,
    trustIds: trusts.rows.map((t) => t.trust_id),
    eventsPerKind: 0,
  });
  return { mapped: true, value: detail?.projectionTotals?.map(peerTotalsRow) };
}
