// The quarantine as users see it: the open entries of their trusts, and an administrator's retry
// through the ingest service's own retry (pipeline/maintenance.ts).
export {
  quarantineOfTrusts,
  retryAllOfTrusts,
  retryOne,
  RETRY_ALL_BATCH,
  type QuarantineItem,
  type RetrySummary,
} from './service.ts';
export { safeReason } from './reason.ts';
export type { RetryDependencies } from '../pipeline/maintenance.ts';
