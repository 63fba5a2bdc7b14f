import { sql, type QueryRunner } from '../core/index.ts';
import type { AuditEntry } from './types.ts';

/** Appends one row to the audit log; the table refuses updates and deletes (migration 0008). */
export async function recordAudit(db: QueryRunner, entry: AuditEntry): Promise<void> {
  await db.query(sql`
    INSERT INTO audit_log (actor_kind, actor_id, actor_name, trust_code, action, subject_kind, subject_key,
                           address, request_id, detail)
    VALUES (${entry.actorKind}, ${entry.actorId ?? null}, ${entry.actorName ?? null}, ${entry.trustCode ?? null},
            ${entry.action}, ${entry.subjectKind ?? null}, ${entry.subjectKey ?? null}, ${entry.address ?? null},
            ${entry.requestId ?? null}, ${JSON.stringify(entry.detail ?? {})})`);
}
