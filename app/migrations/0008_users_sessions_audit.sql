-- Access control (docs/adr/0007): people who sign in, the trusts whose patients they may see, their
-- sessions, the sign-in attempts the rate limits count, and the append-only audit log.

CREATE TABLE IF NOT EXISTS users (
  user_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                 text NOT NULL UNIQUE CHECK (name = lower(name) AND name ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
  password_hash        text NOT NULL,
  roles                text[] NOT NULL CHECK (
    cardinality(roles) > 0 AND roles <@ ARRAY['physicist', 'radiographer', 'governance', 'admin']::text[]
  ),
  disabled_at          timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  password_changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_trusts (
  user_id   bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  trust_id  bigint NOT NULL REFERENCES trusts (trust_id),
  PRIMARY KEY (user_id, trust_id)
);

-- Only the SHA-256 of the cookie's token is stored: a copy of this table opens no session.
-- The CSRF token is the synchronizer token of the session's forms.
CREATE TABLE IF NOT EXISTS sessions (
  token_sha256   text PRIMARY KEY,
  user_id        bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  csrf_token     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sessions_user_idx ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_created_idx ON sessions (created_at);

-- Counted by the sign-in rate limits, per account and per address, across every Kerma instance.
CREATE TABLE IF NOT EXISTS sign_in_attempts (
  attempt_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attempted_at  timestamptz NOT NULL DEFAULT now(),
  account       text NOT NULL,
  address       text NOT NULL,
  succeeded     boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_attempts_account_idx ON sign_in_attempts (account, attempted_at);
CREATE INDEX IF NOT EXISTS sign_in_attempts_address_idx ON sign_in_attempts (address, attempted_at);

-- Who did what, when, from where. Subjects are keys (study instance UID, patient key hash), never a
-- clear identifier. Append-only: the trigger below refuses UPDATE, DELETE and TRUNCATE, even for the
-- table's owner.
CREATE TABLE IF NOT EXISTS audit_log (
  audit_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  logged_at     timestamptz NOT NULL DEFAULT now(),
  actor_kind    text NOT NULL CHECK (actor_kind IN ('user', 'api-key', 'system', 'anonymous')),
  actor_id      bigint,
  actor_name    text,
  trust_code    text,
  action        text NOT NULL,
  subject_kind  text,
  subject_key   text,
  address       text,
  request_id    text,
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_time_idx ON audit_log (logged_at);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON audit_log (actor_kind, actor_id, logged_at);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
