// analytics/dose-metrics: per-exam effective dose estimates, SSDE and DRL comparisons, recomputed
// set-based from the studies and the current reference editions (docs/adr/0011).
export { recomputeDoseMetrics, RECOMPUTE_BATCH, type RecomputeSummary } from './recompute.ts';
export {
  effectiveDiameterCm,
  effectiveDoseFromActivityMsv,
  effectiveDoseFromDapMsv,
  effectiveDoseFromDlpMsv,
  ssdeConversionFactor,
  ssdeMgy,
  type SsdeConstants,
} from './formulas.ts';
export { ageBandOf, kRegionOf, AGE_BANDS, K_REGION_OF_BODY_PART, type AgeBand, type KRegion } from './regions.ts';
export { agentKey, agentSpellingPairs } from './radiopharmaceuticals.ts';
export { CURRENT_REFERENCE_CTES } from './reference-sql.ts';
export { SqlParameters } from './recompute-sql.ts';
export { studyDoseMetrics, type StudyDoseMetrics, type DrlComparison } from './store.ts';
export { createStudyRecomputeQueue, type StudyRecomputeQueue, type RecomputeQueueOptions } from './queue.ts';
