// analytics: dose quantities, DRL comparison, local DRLs, cumulative exposure, trends, procedure
// standardisation and patient size. Other folders and the composition root import only from here.
export * from './patient-size/index.ts';
export * from './procedures/index.ts';
export {
  patientDoseHistory,
  yearBefore,
  type LookupAuditActor,
  type PatientDoseDependencies,
  type PatientDoseLookup,
} from './cumulative/service.ts';
export { patientTimelineSql } from './cumulative/store.ts';
export { nhsNumberKey } from './cumulative/identifiers.ts';
export { PATIENT_DOSE_BODY_SCHEMA, type PatientDoseBody } from './cumulative/schema.ts';
export type * from './cumulative/types.ts';
export { doseTrends, stepChanges, workload, seriesChanges, QUANTITY_LABELS } from './trends/service.ts';
export {
  averageRanks,
  detectChanges,
  pettitt,
  MIN_SEGMENT_DAYS,
  MIN_STEP_RATIO,
  STEP_ALPHA,
} from './trends/step-change.ts';
export { trendSql, dailyMedianSql, workloadSql, standardProcedureOptions } from './trends/store.ts';
export {
  OWN_PARAMETERS,
  STEP_CHANGE_PARAMETERS_SCHEMA,
  TREND_PARAMETERS_SCHEMA,
  WORKLOAD_PARAMETERS_SCHEMA,
  type StepChangeParameters,
  type TrendParameters,
  type WorkloadParameters,
} from './trends/schema.ts';
export { GROUP_DIMENSIONS, PERIODS, TREND_QUANTITIES } from './trends/types.ts';
export type * from './trends/types.ts';
export * from './dose-metrics/index.ts';
export * from './drl/index.ts';
