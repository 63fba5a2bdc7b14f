import { NotFoundError, type QueryRunner } from '../../core/index.ts';
import { recordAudit } from '../../access/index.ts';
import type { Actor } from '../devices/types.ts';
import { retryQuarantineEntry, type RetryDependencies } from '../pipeline/maintenance.ts';
import { safeReason } from './reason.ts';
import { openCountOfTrusts, openEntriesOfTrusts, openEntryOfTrusts, type ScopedQuarantineEntry } from './store.ts';

/** One open entry as the quarantine page shows it: no storage path, no hash, the reason made safe. */
export interface QuarantineItem {
  readonly quarantineId: number;
  readonly trustCode: string;
  readonly transport: string;
  readonly sender: string | null;
  readonly reasonCode: string;
  readonly reason: string;
  readonly quarantinedAt: string;
  readonly retryCount: number;
  readonly lastRetryAt: string | null;
}

export interface RetrySummary {
  readonly retried: number;
  /** Now stored (or recognised as a repeat or as valid DICOM without dose): the entry is resolved. */
  readonly resolved: number;
}

/**
 * "Retry all" takes this many entries per request, newest first: a request must end well inside a
 * browser's and a proxy's timeout even when a sender has filled the quarantine.
 */
export const RETRY_ALL_BATCH = 200;

/** File errors of the object store's read: the entry stays open, the other entries still run. */
const UNREADABLE = new Set(['ENOENT', 'EACCES', 'EISDIR']);

const toItem = (e: ScopedQuarantineEntry): QuarantineItem => ({
  quarantineId: e.quarantineId,
  trustCode: e.trustCode,
  transport: e.transport,
  sender: e.sender,
  reasonCode: e.reasonCode,
  reason: safeReason(e.reason),
  quarantinedAt: e.quarantinedAt,
  retryCount: e.retryCount,
  lastRetryAt: e.lastRetryAt,
});

export async function quarantineOfTrusts(
  db: QueryRunner,
  trustCodes: readonly string[],
  limit: number,
): Promise<{ items: QuarantineItem[]; total: number }> {
  const [entries, total] = await Promise.all([
    openEntriesOfTrusts(db, trustCodes, limit),
    openCountOfTrusts(db, trustCodes),
  ]);
  return { items: entries.map(toItem), total };
}

async function retryAudited(deps: RetryDependencies, actor: Actor, entry: ScopedQuarantineEntry): Promise<boolean> {
  let outcome: string;
  try {
    const result = await retryQuarantineEntry(deps, entry);
    outcome = result?.outcome.status ?? 'no stored bytes';
  } catch (error) {
    // Stored bytes that cannot be read (a data directory restored without its objects) leave this
    // entry open; anything else (the database gone: 503) ends the request.
    if (!UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    outcome = 'stored bytes unreadable';
  }
  const resolved = outcome !== 'quarantined' && outcome !== 'no stored bytes' && outcome !== 'stored bytes unreadable';
  await recordAudit(deps.db, {
    actorKind: 'user',
    actorId: actor.userId,
    actorName: actor.name,
    trustCode: entry.trustCode,
    action: 'quarantine.retry',
    subjectKind: 'quarantine',
    subjectKey: String(entry.quarantineId),
    address: actor.address,
    requestId: actor.requestId,
    detail: {
      before: { reasonCode: entry.reasonCode, retryCount: entry.retryCount },
      after: { outcome, resolved },
    },
  });
  return resolved;
}

/**
 * Retries one entry of the caller's trusts through the ingest service's own retry; an entry of
 * another trust (or already resolved) is "not found".
 */
export async function retryOne(
  deps: RetryDependencies,
  actor: Actor,
  trustCodes: readonly string[],
  quarantineId: number,
): Promise<RetrySummary> {
  const entry = await openEntryOfTrusts(deps.db, trustCodes, quarantineId);
  if (!entry) throw new NotFoundError('No such open quarantine entry');
  return { retried: 1, resolved: (await retryAudited(deps, actor, entry)) ? 1 : 0 };
}

/** Retries the newest RETRY_ALL_BATCH open entries of the caller's trusts, each audited. */
export async function retryAllOfTrusts(
  deps: RetryDependencies,
  actor: Actor,
  trustCodes: readonly string[],
): Promise<RetrySummary> {
  let resolved = 0;
  const entries = await openEntriesOfTrusts(deps.db, trustCodes, RETRY_ALL_BATCH);
  for (const entry of entries) if (await retryAudited(deps, actor, entry)) resolved += 1;
  return { retried: entries.length, resolved };
}
