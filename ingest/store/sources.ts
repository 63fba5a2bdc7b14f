import { sql, type QueryRunner } from '../../core/index.ts';
import type { Transport } from '../pipeline/types.ts';

/** SQL of the received-object ledger (source_objects) and the quarantine. */
export interface NewSourceObject {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string | undefined;
  readonly sha256: string;
  readonly byteSize: number;
  readonly transport: Transport;
  readonly sender: string | undefined;
  readonly storagePath: string;
  readonly trustId: number;
  readonly status: 'extracted' | 'not_dose';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly extractor?: string;
  readonly extractorVersion?: number;
  readonly warnings: readonly string[];
}

/** Inserts the object unless its SOP Instance UID is known; returns the new id, or the existing one. */
export async function insertSourceObject(
  db: QueryRunner,
  o: NewSourceObject,
): Promise<{ id: number; inserted: boolean }> {
  const { rows } = await db.query<{ source_object_id: number }>(sql`
    INSERT INTO source_objects (sop_instance_uid, sop_class_uid, sha256, byte_size, transport, sender, storage_path,
                                trust_id, status, error_code, error_message, extractor, extractor_version, warnings)
    VALUES (${o.sopInstanceUid}, ${o.sopClassUid ?? null}, ${o.sha256}, ${o.byteSize}, ${o.transport}, ${o.sender ?? null},
            ${o.storagePath}, ${o.trustId}, ${o.status}, ${o.errorCode ?? null}, ${o.errorMessage ?? null},
            ${o.extractor ?? null}, ${o.extractorVersion ?? null}, ${o.warnings})
    ON CONFLICT (sop_instance_uid) DO NOTHING
    RETURNING source_object_id`);
  if (rows[0]) return { id: rows[0].source_object_id, inserted: true };
  const existing = await db.query<{ source_object_id: number }>(
    sql`SELECT source_object_id FROM source_objects WHERE sop_instance_uid = ${o.sopInstanceUid}`,
  );
  return { id: existing.rows[0]?.source_object_id ?? 0, inserted: false };
}

export async function linkSourceToStudy(db: QueryRunner, sourceObjectId: number, studyId: number): Promise<void> {
  await db.query(sql`UPDATE source_objects SET study_id = ${studyId} WHERE source_object_id = ${sourceObjectId}`);
}

export interface NewQuarantine {
  readonly trustId: number;
  readonly sha256: string;
  readonly byteSize: number;
  readonly sopInstanceUid: string | undefined;
  readonly transport: Transport;
  readonly sender: string | undefined;
  readonly storagePath: string;
  readonly reasonCode: string;
  readonly reason: string;
}

/** One open quarantine entry per content hash: the same broken file sent again adds nothing. */
export async function quarantineObject(db: QueryRunner, q: NewQuarantine): Promise<number> {
  const { rows } = await db.query<{ quarantine_id: number }>(sql`
    INSERT INTO quarantine (trust_id, sha256, byte_size, sop_instance_uid, transport, sender, storage_path, reason_code, reason)
    VALUES (${q.trustId}, ${q.sha256}, ${q.byteSize}, ${q.sopInstanceUid ?? null}, ${q.transport}, ${q.sender ?? null},
            ${q.storagePath}, ${q.reasonCode}, ${q.reason})
    ON CONFLICT (sha256) WHERE resolved_at IS NULL DO UPDATE SET retry_count = quarantine.retry_count
    RETURNING quarantine_id`);
  return rows[0]?.quarantine_id ?? 0;
}

export interface QuarantineEntry {
  readonly quarantineId: number;
  readonly trustCode: string;
  readonly sha256: string;
  readonly sopInstanceUid: string | null;
  readonly transport: string;
  readonly sender: string | null;
  readonly storagePath: string | null;
  readonly reasonCode: string;
  readonly reason: string;
  readonly quarantinedAt: string;
  readonly retryCount: number;
}

export async function listOpenQuarantine(db: QueryRunner, limit: number, offset: number): Promise<QuarantineEntry[]> {
  const { rows } = await db.query<QuarantineEntry>(sql`
    SELECT quarantine_id AS "quarantineId", COALESCE(t.code, 'DEFAULT') AS "trustCode", sha256, sop_instance_uid AS "sopInstanceUid", transport, sender,
           storage_path AS "storagePath", reason_code AS "reasonCode", reason,
           to_char(quarantined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "quarantinedAt", retry_count AS "retryCount"
    FROM quarantine q LEFT JOIN trusts t USING (trust_id) WHERE resolved_at IS NULL
    ORDER BY quarantined_at DESC, quarantine_id DESC LIMIT ${limit} OFFSET ${offset}`);
  return rows;
}

export async function markQuarantineRetried(db: QueryRunner, quarantineId: number, resolved: boolean): Promise<void> {
  await db.query(sql`
    UPDATE quarantine SET retry_count = retry_count + 1, last_retry_at = now(),
                          resolved_at = CASE WHEN ${resolved}::boolean THEN now() ELSE NULL END
    WHERE quarantine_id = ${quarantineId}`);
}
