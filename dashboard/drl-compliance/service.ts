import { recordAudit } from '../../access/index.ts';
import {
  drlCompliance,
  localDrlReport,
  type DrlQuantity,
  type LocalDrlReport,
  type ProcedureCompliance,
  type RoomStatistics,
} from '../../analytics/index.ts';
import type { QueryRunner } from '../../core/index.ts';
import { PAGES } from '../pages.ts';
import { filterConditions, studyQueryString, type StudyAuditActor, type StudyFilters } from '../studies/index.ts';
import type { ComplianceParams, LocalDrlParams } from './query.ts';

/** A room's figures with where to find the studies behind its median. */
export type RoomWithStudies = RoomStatistics & {
  /** The study browser listing exactly the studies of this room's sample. */
  readonly studiesUrl: string;
  /** The same list as JSON (GET /api/v1/studies, keyset pages). */
  readonly studiesApiUrl: string;
};

export type ComplianceProcedure = Omit<ProcedureCompliance, 'quantities'> & {
  readonly quantities: ReadonlyArray<
    Omit<ProcedureCompliance['quantities'][number], 'rooms'> & { readonly rooms: readonly RoomWithStudies[] }
  >;
};

export interface ComplianceReport {
  readonly period: { readonly from: string; readonly to: string; readonly timeZone: string };
  readonly weightBand: {
    readonly minKg: number | null;
    readonly maxKg: number | null;
    readonly unknownWeightIncluded: boolean;
  };
  readonly minSample: number;
  readonly procedures: readonly ComplianceProcedure[];
}

/**
 * The study browser's filters that select the studies behind one room's median: the compliance
 * filters, the room, the procedure, typical patients (weight in the band or unknown), patients only,
 * and the quantity present (what the median counts).
 */
function sampleFilters(
  params: ComplianceParams,
  deviceId: number,
  procedure: string,
  quantity: DrlQuantity,
): StudyFilters {
  const band = params.weightBand;
  const banded = band.minKg !== null || band.maxKg !== null;
  const present = { min: 0 };
  return {
    ...params.filters,
    deviceId,
    standardProcedure: procedure,
    weightKg: banded ? { min: band.minKg ?? undefined, max: band.maxKg ?? undefined } : undefined,
    weightUnknown: banded ? 'include' : undefined,
    patientsOnly: true,
    ...(quantity === 'dlp_mgycm' ? { modalities: ['CT'], totalDlpMgyCm: present } : {}),
    ...(quantity === 'ctdivol_mgy' ? { modalities: ['CT'], maxCtdivolMgy: present } : {}),
    ...(quantity === 'dap_gycm2' ? { totalDapGyCm2: present } : {}),
  };
}

function withStudies(params: ComplianceParams, procedures: readonly ProcedureCompliance[]): ComplianceProcedure[] {
  return procedures.map((procedure) => ({
    ...procedure,
    quantities: procedure.quantities.map((q) => ({
      ...q,
      rooms: q.rooms.map((room) => {
        const qs = studyQueryString({
          filters: sampleFilters(params, room.deviceId, procedure.standardProcedureCode, q.quantity),
          sort: { key: 'time', direction: 'desc' },
        });
        return { ...room, studiesUrl: `${PAGES.studies.path}?${qs}`, studiesApiUrl: `/api/v1/studies?${qs}` };
      }),
    })),
  }));
}

export async function complianceReport(
  db: QueryRunner,
  actor: { readonly trustIds: readonly number[]; readonly audit: StudyAuditActor },
  params: ComplianceParams,
  timeZone: string,
  view: 'api' | 'page',
): Promise<ComplianceReport> {
  const { weightMin, weightMax } = { weightMin: params.weightBand.minKg, weightMax: params.weightBand.maxKg };
  const procedures = await drlCompliance(db, {
    trustIds: actor.trustIds,
    conditions: (p) => filterConditions({ trustIds: actor.trustIds }, params.filters, timeZone, p),
    weightBand: params.weightBand,
    minSample: params.minSample,
  });
  await recordAudit(db, {
    ...actor.audit,
    action: 'analytics.drl-compliance',
    detail: {
      view,
      format: params.format,
      from: params.filters.fromDate,
      to: params.filters.toDate,
      weightBand: [weightMin, weightMax],
      minSample: params.minSample,
      procedures: procedures.length,
    },
  });
  return {
    period: { from: params.filters.fromDate, to: params.filters.toDate, timeZone },
    weightBand: { minKg: weightMin, maxKg: weightMax, unknownWeightIncluded: true },
    minSample: params.minSample,
    procedures: withStudies(params, procedures),
  };
}

export async function localDrls(
  db: QueryRunner,
  actor: { readonly trustIds: readonly number[]; readonly audit: StudyAuditActor },
  params: LocalDrlParams,
): Promise<LocalDrlReport | undefined> {
  const report = await localDrlReport(db, {
    trustIds: actor.trustIds,
    runId: params.runId,
    standardProcedure: params.standardProcedure,
    modalities: params.modalities,
    trust: params.trust,
    deviceId: params.deviceId,
  });
  await recordAudit(db, {
    ...actor.audit,
    action: 'analytics.local-drls',
    detail: { format: params.format, run: report?.run.runId ?? null },
  });
  return report;
}
