import { createHash } from 'node:crypto';
import { createObjectStore } from '../../ingest/index.ts';
import type { WebHarness } from './web.ts';

/**
 * Puts an object in the quarantine as an older Kerma would have left it: bytes stored in the object
 * store, an open entry with a reason. With valid bytes this is the entry an extractor fix resolves,
 * the case "retry" exists for (a test cannot make today's extractor fail on good bytes).
 */
export async function quarantineStoredObject(
  web: WebHarness,
  dataDir: string,
  entry: { bytes: Uint8Array; trustCode: string; reason: string; reasonCode?: string; sender?: string },
): Promise<number> {
  const sha256 = createHash('sha256').update(entry.bytes).digest('hex');
  const storagePath = await createObjectStore(dataDir).put(sha256, entry.bytes);
  const { rows } = await web.database.pool.query<{ quarantine_id: number }>(
    `INSERT INTO quarantine (trust_id, sha256, byte_size, transport, sender, storage_path, reason_code, reason)
     SELECT trust_id, $2, $3, 'stow', $4, $5, $6, $7 FROM trusts WHERE code = $1
     RETURNING quarantine_id`,
    [
      entry.trustCode,
      sha256,
      entry.bytes.length,
      entry.sender ?? 'pacs-forwarder',
      storagePath,
      entry.reasonCode ?? 'malformed',
      entry.reason,
    ],
  );
  if (!rows[0]) throw new Error(`no trust ${entry.trustCode}`);
  return rows[0].quarantine_id;
}
