import { sql, type QueryRunner } from '../../core/index.ts';
import type { QuarantineEntry } from '../store/sources.ts';

/** Open quarantine entries of the given trusts (a NULL trust counts as DEFAULT's, as everywhere). */
const SELECT_OPEN = `
  SELECT quarantine_id AS "quarantineId", COALESCE(t.code, 'DEFAULT') AS "trustCode", sha256,
         sop_instance_uid AS "sopInstanceUid", transport, sender, storage_path AS "storagePath",
         reason_code AS "reasonCode", reason,
         to_char(quarantined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "quarantinedAt",
         retry_count AS "retryCount",
         to_char(last_retry_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "lastRetryAt"
    FROM quarantine q LEFT JOIN trusts t USING (trust_id)
   WHERE resolved_at IS NULL AND COALESCE(t.code, 'DEFAULT') = ANY($1::text[])`;

export interface ScopedQuarantineEntry extends QuarantineEntry {
  readonly lastRetryAt: string | null;
}

export async function openEntriesOfTrusts(
  db: QueryRunner,
  trustCodes: readonly string[],
  limit: number,
): Promise<ScopedQuarantineEntry[]> {
  const { rows } = await db.query<ScopedQuarantineEntry>({
    text: `${SELECT_OPEN} ORDER BY quarantined_at DESC, quarantine_id DESC LIMIT $2`,
    values: [trustCodes, limit],
  });
  return rows;
}

/** One open entry, only when it belongs to one of the trusts. */
export async function openEntryOfTrusts(
  db: QueryRunner,
  trustCodes: readonly string[],
  quarantineId: number,
): Promise<ScopedQuarantineEntry | undefined> {
  const { rows } = await db.query<ScopedQuarantineEntry>({
    text: `${SELECT_OPEN} AND quarantine_id = $2`,
    values: [trustCodes, quarantineId],
  });
  return rows[0];
}

export async function openCountOfTrusts(db: QueryRunner, trustCodes: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM quarantine q LEFT JOIN trusts t USING (trust_id)
     WHERE resolved_at IS NULL AND COALESCE(t.code, 'DEFAULT') = ANY(${trustCodes}::text[])`);
  return rows[0]?.n ?? 0;
}
