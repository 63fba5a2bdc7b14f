import { codeMatches, concept } from '../dicom/sr.ts';
import { CtAcquisitionTypes } from './concepts.ts';
import type { Code, DoseReport, ProjectionAccumulated } from './types.ts';

/**
 * Study-level totals of one dose report, as stored on the study row and shown in lists. Totals come
 * from the report's own accumulated data (what the device reported), not from summing events: an
 * RDSR may legitimately omit events from its event list but never from its totals.
 */
export interface StudySummary {
  readonly eventCount: number;
  readonly totalDlpMgyCm: number | undefined;
  readonly totalDapGyCm2: number | undefined;
  readonly totalDapPlaneAGyCm2: number | undefined;
  readonly totalDapPlaneBGyCm2: number | undefined;
  readonly totalDoseRpGy: number | undefined;
  readonly totalDoseRpPlaneAGy: number | undefined;
  readonly totalDoseRpPlaneBGy: number | undefined;
  /**
   * TID 10004 split of a projection report's accumulated dose, summed over its planes: fluoroscopy
   * and acquisition DAP, dose at the reference point and time. Reports stored before these fields
   * existed lack them (unknown until `kerma reprocess`).
   */
  readonly fluoroDapTotalGyCm2?: number | undefined;
  readonly fluoroDoseRpTotalGy?: number | undefined;
  readonly totalFluoroTimeS?: number | undefined;
  readonly acquisitionDapTotalGyCm2?: number | undefined;
  readonly acquisitionDoseRpTotalGy?: number | undefined;
  readonly totalAcquisitionTimeS?: number | undefined;
  readonly totalAgdLeftMgy: number | undefined;
  readonly totalAgdRightMgy: number | undefined;
  readonly totalAgdBothMgy: number | undefined;
  readonly totalActivityMbq: number | undefined;
  readonly numberOfPlanes: number | undefined;
  readonly ctAcquisitionCounts:
    | { readonly axial: number; readonly spiral: number; readonly constantAngle: number; readonly stationary: number }
    | undefined;
}

// CID 6022 breast laterality, SRT and SCT forms.
const RIGHT_BREAST = concept('T-04020', 'SRT', 'Right breast', ['73056007', 'SCT'], ['C0222600', 'UMLS']);
const LEFT_BREAST = concept('T-04030', 'SRT', 'Left breast', ['80248007', 'SCT'], ['C0222601', 'UMLS']);
const BOTH_BREASTS = concept('T-04080', 'SRT', 'Both breasts', ['63762007', 'SCT'], ['C0222605', 'UMLS']);

function sum(values: ReadonlyArray<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

function agdFor(
  accumulated: readonly ProjectionAccumulated[],
  laterality: ReturnType<typeof concept>,
): number | undefined {
  return sum(
    accumulated.flatMap((a) =>
      a.mammography
        .filter((m) => codeMatches(m.laterality, laterality))
        .map((m) => m.accumulatedAverageGlandularDoseMgy),
    ),
  );
}

function countType(types: ReadonlyArray<Code | undefined>, wanted: ReturnType<typeof concept>): number {
  return types.filter((t) => codeMatches(t, wanted)).length;
}

export function summariseReport(report: DoseReport): StudySummary {
  const planes = report.projection?.accumulated ?? [];
  const [planeA, planeB] = planes;
  const ctTypes = report.ct?.events.map((e) => e.ctAcquisitionType) ?? [];
  return {
    eventCount:
      (report.ct?.events.length ?? 0) +
      (report.projection?.events.length ?? 0) +
      (report.radiopharmaceutical?.administrations.length ?? 0),
    totalDlpMgyCm: report.ct
      ? (report.ct.accumulated.ctDoseLengthProductTotalMgyCm ?? sum(report.ct.events.map((e) => e.dlpMgyCm)))
      : undefined,
    // Unknown stays unknown (undefined, NULL when stored): a 0 would pull every median down.
    totalDapGyCm2: sum(planes.map((p) => p.dapTotalGyCm2)),
    totalDapPlaneAGyCm2: planeA?.dapTotalGyCm2,
    totalDapPlaneBGyCm2: planeB?.dapTotalGyCm2,
    totalDoseRpGy: report.projection ? sum(planes.map((p) => p.doseRpTotalGy)) : undefined,
    totalDoseRpPlaneAGy: planeA?.doseRpTotalGy,
    totalDoseRpPlaneBGy: planeB?.doseRpTotalGy,
    fluoroDapTotalGyCm2: sum(planes.map((p) => p.fluoroDapTotalGyCm2)),
    fluoroDoseRpTotalGy: sum(planes.map((p) => p.fluoroDoseRpTotalGy)),
    totalFluoroTimeS: sum(planes.map((p) => p.totalFluoroTimeS)),
    acquisitionDapTotalGyCm2: sum(planes.map((p) => p.acquisitionDapTotalGyCm2)),
    acquisitionDoseRpTotalGy: sum(planes.map((p) => p.acquisitionDoseRpTotalGy)),
    totalAcquisitionTimeS: sum(planes.map((p) => p.totalAcquisitionTimeS)),
    totalAgdLeftMgy: agdFor(planes, LEFT_BREAST),
    totalAgdRightMgy: agdFor(planes, RIGHT_BREAST),
    totalAgdBothMgy: agdFor(planes, BOTH_BREASTS),
    totalActivityMbq: report.radiopharmaceutical
      ? sum(report.radiopharmaceutical.administrations.map((a) => a.administeredActivityMbq))
      : undefined,
    numberOfPlanes: report.projection
      ? Math.max(1, planes.filter((p) => p.dapTotalGyCm2 !== undefined || p.doseRpTotalGy !== undefined).length)
      : undefined,
    ctAcquisitionCounts: report.ct
      ? {
          axial: countType(ctTypes, CtAcquisitionTypes.sequenced),
          spiral: countType(ctTypes, CtAcquisitionTypes.spiral),
          constantAngle: countType(ctTypes, CtAcquisitionTypes.constantAngle),
          stationary: countType(ctTypes, CtAcquisitionTypes.stationary),
        }
      : undefined,
  };
}
