// analytics/drl: DRL compliance per room and standard procedure, and local DRLs (ICRP 135) computed
// over a period and stored as runs (docs/adr/0011).
export { drlCompliance } from './compliance.ts';
export {
  computeLocalDrls,
  localDrlReport,
  localDrlRuns,
  type LocalDrl,
  type LocalDrlFilter,
  type LocalDrlReport,
  type LocalDrlRun,
  type LocalDrlRunSummary,
  type LocalDrlSettings,
  type RoomMedian,
} from './local-drls.ts';
export { examsAboveNationalDrlThisWeek, roomsAboveNationalDrl, type RoomAboveNationalDrl } from './overview.ts';
export { referenceLevelsById } from './reference-levels.ts';
export * from './types.ts';
