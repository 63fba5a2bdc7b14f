-- Ingest: per-trust identity rules, sender credentials, and the reports that make up a study.

-- How a trust's objects identify patients (see ingest/pipeline/patient-identity.ts): where the NHS
-- number is (PatientID, or Other Patient IDs with an issuer) and the issuer of local IDs.
ALTER TABLE trusts ADD COLUMN IF NOT EXISTS nhs_number_source text NOT NULL DEFAULT 'none'
  CHECK (nhs_number_source IN ('none', 'patient_id', 'other_patient_ids'));
ALTER TABLE trusts ADD COLUMN IF NOT EXISTS nhs_number_issuer text;
ALTER TABLE trusts ADD COLUMN IF NOT EXISTS local_id_issuer text;
ALTER TABLE trusts ADD COLUMN IF NOT EXISTS calling_ae_titles text[] NOT NULL DEFAULT '{}';

INSERT INTO trusts (code, name) VALUES ('DEFAULT', 'Default trust') ON CONFLICT (code) DO NOTHING;

-- STOW-RS senders authenticate with an API key; only its SHA-256 is stored.
CREATE TABLE IF NOT EXISTS api_keys (
  api_key_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  trust_id     bigint NOT NULL REFERENCES trusts (trust_id),
  key_sha256   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

-- Every dose report that contributed to a study, with the event UIDs it listed and its own totals:
-- the merge rules (docs/adr/0004) decide the study totals from these rows.
CREATE TABLE IF NOT EXISTS study_reports (
  study_report_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  study_id           bigint NOT NULL REFERENCES studies (study_id),
  source_object_id   bigint NOT NULL UNIQUE REFERENCES source_objects (source_object_id),
  source_kind        text NOT NULL,
  modality           text NOT NULL,
  event_uids         text[] NOT NULL,
  summary            jsonb NOT NULL,
  content_datetime   timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS study_reports_study_idx ON study_reports (study_id);

ALTER TABLE studies ADD COLUMN IF NOT EXISTS total_dap_plane_a_gycm2 double precision;
ALTER TABLE studies ADD COLUMN IF NOT EXISTS total_dap_plane_b_gycm2 double precision;
ALTER TABLE studies ADD COLUMN IF NOT EXISTS total_agd_left_mgy double precision;
ALTER TABLE studies ADD COLUMN IF NOT EXISTS total_agd_right_mgy double precision;
ALTER TABLE studies ADD COLUMN IF NOT EXISTS not_patient boolean NOT NULL DEFAULT false;
ALTER TABLE studies ADD COLUMN IF NOT EXISTS modalities text[] NOT NULL DEFAULT '{}';

ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS trust_id bigint REFERENCES trusts (trust_id);
ALTER TABLE source_objects ADD COLUMN IF NOT EXISTS trust_id bigint REFERENCES trusts (trust_id);
ALTER TABLE source_objects ADD COLUMN IF NOT EXISTS warnings text[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS source_objects_received_idx ON source_objects (received_at DESC);

ALTER TABLE irradiation_events ADD COLUMN IF NOT EXISTS source_kind text;
ALTER TABLE irradiation_events ADD COLUMN IF NOT EXISTS device_id bigint;
