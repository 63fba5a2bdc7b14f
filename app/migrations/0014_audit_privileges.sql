-- The audit log's second lock, and its reading (docs/adr/0010-audit-log-and-request-limits.md).
--
-- 0008's trigger refuses UPDATE, DELETE and TRUNCATE for everyone, the owner too; but an owner can
-- drop a trigger. Where Kerma runs as a role that does not own the schema (migrations by the owner,
-- `kerma serve` as e.g. kerma_app), privileges are the lock that role cannot lift: it gets SELECT and
-- INSERT on audit_log and nothing else there.

REVOKE ALL ON audit_log FROM PUBLIC;

-- The ingest creates a month's partition when its first event arrives; only the owner of
-- irradiation_events may. Run as the function's owner, the service role needs no DDL right. The
-- search path is pinned (to the schema Kerma lives in) so a caller cannot substitute its own objects.
DO $$
BEGIN
  EXECUTE format(
    'ALTER FUNCTION kerma_ensure_event_partition(timestamptz) SECURITY DEFINER SET search_path = %I, pg_temp',
    current_schema());
END;
$$;

-- What the service role may do, granted by the owner after each migration (`kerma migrate --grant-to
-- ROLE` calls this): read and write Kerma's tables, append to the audit log, read the migration record.
-- A function rather than fixed GRANTs because the role's name is the deployment's choice.
CREATE OR REPLACE FUNCTION kerma_grant_app_role(app_role name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM %I', app_role);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON kerma_schema_migrations FROM %I', app_role);
END;
$$;
REVOKE ALL ON FUNCTION kerma_grant_app_role(name) FROM PUBLIC;

-- The audit page's questions: "who opened this study?" and "what did this request do?".
CREATE INDEX IF NOT EXISTS audit_log_subject_idx ON audit_log (subject_key, audit_id) WHERE subject_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_log_request_idx ON audit_log (request_id) WHERE request_id IS NOT NULL;
