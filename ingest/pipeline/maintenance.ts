import type { QueryRunner } from '../../core/index.ts';
import { listOpenQuarantine, markQuarantineRetried, type QuarantineEntry } from '../store/sources.ts';
import type { ObjectStore } from './object-store.ts';
import type { IngestOutcome, IngestService, Transport } from './types.ts';

/**
 * Operator actions on what was received: retry the quarantine (after an extractor fix, or once a
 * sender's problem is understood) and re-extract stored objects after an extractor upgrade.
 */
export interface RetryResult {
  readonly entry: QuarantineEntry;
  readonly outcome: IngestOutcome;
}

export async function retryQuarantine(
  deps: { db: QueryRunner; objects: ObjectStore; ingest: IngestService },
  batch = 500,
): Promise<RetryResult[]> {
  const results: RetryResult[] = [];
  const entries = await listOpenQuarantine(deps.db, batch, 0);
  for (const entry of entries) {
    if (!entry.storagePath) continue;
    const bytes = await deps.objects.read(entry.storagePath);
    const outcome = await deps.ingest.ingestObject({
      bytes,
      transport: entry.transport as Transport,
      sender: entry.sender ?? undefined,
      trustCode: entry.trustCode,
    });
    // The same bytes land on the same open entry again when they still fail; anything else resolves it.
    const stillBroken = outcome.status === 'quarantined' && outcome.quarantineId === entry.quarantineId;
    await markQuarantineRetried(deps.db, entry.quarantineId, !stillBroken);
    results.push({ entry, outcome });
  }
  return results;
}
