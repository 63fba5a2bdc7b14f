// ingest: DICOM parsing, dose extraction, transports, the store and the quarantine.
// Other features and the composition root import only from here.
export { extractDoseReport, chooseExtractor, EXTRACTORS, type Extraction } from './extract/registry.ts';
export { summariseReport, type StudySummary } from './extract/summary.ts';
export { matchNotPatient, type NotPatientMatch, type NotPatientPatterns } from './extract/not-patient.ts';
export { DicomExtractionError, type ExtractionFailure } from './dicom/errors.ts';
export { parseDicom, type ParsedDicom } from './dicom/dataset.ts';
export type * from './extract/types.ts';
export { createIngestService, type IngestDependencies } from './pipeline/ingest-service.ts';
export { createObjectStore, type ObjectStore } from './pipeline/object-store.ts';
export { prepareObject } from './pipeline/prepare.ts';
export { isValidNhsNumber, patientKeys, accessionKey, type TrustIdentityRules } from './pipeline/patient-identity.ts';
export { patientAgeYears } from './extract/values.ts';
export { upsertDevice } from './store/reference.ts';
export { reportRoles, type ReportRole } from './store/merge.ts';
export type { StudyReportRow } from './store/studies.ts';
// Rows of a study recorded from one report, and the columns they fill, for the synthetic bulk loader's COPY.
export { firstReportRows, type FirstReportRows } from './store/first-report-rows.ts';
export { STUDY_ROW_COLUMNS, type StudyRecord } from './store/studies.ts';
export { EVENT_COLUMNS, EVENT_KEY_COLUMNS, type EventRecord } from './store/events.ts';
export type { Column } from './store/columns.ts';
export type { ZoneSettings } from './store/instants.ts';
export { KERMA_IMPLEMENTATION_CLASS_UID, KERMA_IMPLEMENTATION_VERSION_NAME } from './transports/dicom-scp-part10.ts';
export type { IngestOutcome, IngestRequest, IngestService, PreparedObject, Transport } from './pipeline/types.ts';
export {
  arrivalCounts,
  latestArrivals,
  openQuarantineCount,
  storeStats,
  type ArrivalCount,
  type LatestArrival,
  type StoreStats,
} from './store/stats.ts';
export { listOpenQuarantine as listQuarantine, type QuarantineEntry } from './store/sources.ts';
export { retryQuarantine, type RetryResult } from './pipeline/maintenance.ts';
export { createStowRouter, type StowDependencies } from './transports/stow-rs.ts';
export { createQuarantineRouter } from './transports/quarantine-routes.ts';
export {
  authenticateApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  type ApiKeyPrincipal,
  type AuthenticateApiKey,
} from './transports/api-keys.ts';
export {
  addCallingAeTitle,
  callingAeMap,
  listCallingAeTitles,
  listTrustSettings,
  normaliseAeTitle,
  removeCallingAeTitle,
  type CallingAeTitle,
  type TrustSettings,
} from './store/trust-settings.ts';
export { openCallingAeDirectory, type CallingAeDirectory } from './transports/calling-ae-directory.ts';
export { startDicomScp, type DicomScpOptions, type RunningDicomScp } from './transports/dicom-scp.ts';
export {
  listenStudyUpdates,
  STUDY_UPDATED_CHANNEL,
  type StudyUpdated,
  type StudyUpdatesListener,
} from './pipeline/study-events.ts';
export {
  importFiles,
  type ImportIngest,
  type ImportOptions,
  type ImportProgress,
  type ImportSummary,
} from './transports/file-import.ts';
export {
  actorOf,
  changeDevice,
  createDeviceRouter,
  deviceIdParam,
  listDevices,
  listTrusts,
  parseDeviceChange,
  silentRooms,
  trustCodesOf,
  type Actor,
  type DeviceChange,
  type DeviceChangeResult,
  type DeviceSummary,
  type SilentRoom,
} from './devices/index.ts';
export {
  quarantineOfTrusts,
  retryAllOfTrusts,
  retryOne,
  RETRY_ALL_BATCH,
  safeReason,
  type QuarantineItem,
  type RetryDependencies,
  type RetrySummary,
} from './quarantine/index.ts';
