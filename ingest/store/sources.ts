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

/** One batch row of source_objects, as JSON for json_to_recordset (a single parameter, parsed once). */
function sourceRecord(o: NewSourceObject): Record<string, unknown> {
  return {
    sop_instance_uid: o.sopInstanceUid,
    sop_class_uid: o.sopClassUid ?? null,
    sha256: o.sha256,
    byte_size: o.byteSize,
    transport: o.transport,
    sender: o.sender ?? null,
    storage_path: o.storagePath,
    trust_id: o.trustId,
    status: o.status,
    error_code: o.errorCode ?? null,
    error_message: o.errorMessage ?? null,
    extractor: o.extractor ?? null,
    extractor_version: o.extractorVersion ?? null,
    warnings: o.warnings,
  };
}

/**
 * Inserts the objects whose SOP Instance UID is not known yet; returns, in input order, each one's
 * id (new, or the existing object's) and whether it was inserted. The UIDs must be distinct. Rows go
 * in UID order so that concurrent batches take the unique-index locks in one order (no deadlock).
 */
export async function insertSourceObjects(
  db: QueryRunner,
  objects: readonly NewSourceObject[],
): Promise<Array<{ id: number; inserted: boolean }>> {
  if (objects.length === 0) return [];
  const { rows } = await db.query<{ source_object_id: number; sop_instance_uid: string }>({
    text: `
    INSERT INTO source_objects (sop_instance_uid, sop_class_uid, sha256, byte_size, transport, sender, storage_path,
                                trust_id, status, error_code, error_message, extractor, extractor_version, warnings)
    SELECT t.sop_instance_uid, t.sop_class_uid, t.sha256, t.byte_size, t.transport, t.sender, t.storage_path,
           t.trust_id, t.status, t.error_code, t.error_message, t.extractor, t.extractor_version, t.warnings
    FROM json_to_recordset($1::json) AS t(sop_instance_uid text, sop_class_uid text, sha256 text, byte_size bigint,
         transport text, sender text, storage_path text, trust_id bigint, status text, error_code text,
         error_message text, extractor text, extractor_version integer, warnings text[])
    ORDER BY t.sop_instance_uid
    ON CONFLICT (sop_instance_uid) DO NOTHING
    RETURNING source_object_id, sop_instance_uid`,
    values: [JSON.stringify(objects.map(sourceRecord))],
  });
  const inserted = new Map(rows.map((r) => [r.sop_instance_uid, r.source_object_id]));
  const known = objects.filter((o) => !inserted.has(o.sopInstanceUid)).map((o) => o.sopInstanceUid);
  const existing = new Map<string, number>();
  if (known.length > 0) {
    const found = await db.query<{ source_object_id: number; sop_instance_uid: string }>(
      sql`SELECT source_object_id, sop_instance_uid FROM source_objects WHERE sop_instance_uid = ANY(${known}::text[])`,
    );
    for (const r of found.rows) existing.set(r.sop_instance_uid, r.source_object_id);
  }
  return objects.map((o) => {
    const id = inserted.get(o.sopInstanceUid);
    return id === undefined ? { id: existing.get(o.sopInstanceUid) ?? 0, inserted: false } : { id, inserted: true };
  });
}

/** Inserts the object unless its SOP Instance UID is known; returns the new id, or the existing one. */
export async function insertSourceObject(
  db: QueryRunner,
  o: NewSourceObject,
): Promise<{ id: number; inserted: boolean }> {
  const [result] = await insertSourceObjects(db, [o]);
  return result ?? { id: 0, inserted: false };
}

/** Records which study each object was merged into. */
export async function linkSourcesToStudies(
  db: QueryRunner,
  links: ReadonlyArray<{ sourceObjectId: number; studyId: number }>,
): Promise<void> {
  if (links.length === 0) return;
  await db.query({
    text: `UPDATE source_objects s SET study_id = t.study_id
           FROM json_to_recordset($1::json) AS t(source_object_id bigint, study_id bigint)
           WHERE s.source_object_id = t.source_object_id`,
    values: [JSON.stringify(links.map((l) => ({ source_object_id: l.sourceObjectId, study_id: l.studyId })))],
  });
}

export async function linkSourceToStudy(db: QueryRunner, sourceObjectId: number, studyId: number): Promise<void> {
  await linkSourcesToStudies(db, [{ sourceObjectId, studyId }]);
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

/** Every trust's open entries: for the operator's tools (CLI list and retry), never for an API caller. */
export async function listOpenQuarantine(db: QueryRunner, limit: number, offset: number): Promise<QuarantineEntry[]> {
  return openQuarantine(db, null, limit, offset);
}

/** The open entries of one trust (the caller's): an API key sees only its own trust's senders and UIDs. */
export async function listTrustQuarantine(
  db: QueryRunner,
  trustCode: string,
  limit: number,
  offset: number,
): Promise<QuarantineEntry[]> {
  return openQuarantine(db, trustCode, limit, offset);
}

async function openQuarantine(
  db: QueryRunner,
  trustCode: string | null,
  limit: number,
  offset: number,
): Promise<QuarantineEntry[]> {
  const { rows } = await db.query<QuarantineEntry>(sql`
    SELECT quarantine_id AS "quarantineId", COALESCE(t.code, 'DEFAULT') AS "trustCode", sha256, sop_instance_uid AS "sopInstanceUid", transport, sender,
           storage_path AS "storagePath", reason_code AS "reasonCode", reason,
           to_char(quarantined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "quarantinedAt", retry_count AS "retryCount"
    FROM quarantine q LEFT JOIN trusts t USING (trust_id)
    WHERE resolved_at IS NULL AND (${trustCode}::text IS NULL OR COALESCE(t.code, 'DEFAULT') = ${trustCode}::text)
    ORDER BY quarantined_at DESC, quarantine_id DESC LIMIT ${limit} OFFSET ${offset}`);
  return rows;
}

export async function markQuarantineRetried(db: QueryRunner, quarantineId: number, resolved: boolean): Promise<void> {
  await db.query(sql`
    UPDATE quarantine SET retry_count = retry_count + 1, last_retry_at = now(),
                          resolved_at = CASE WHEN ${resolved}::boolean THEN now() ELSE NULL END
    WHERE quarantine_id = ${quarantineId}`);
}
