-- Core schema shared by every feature (see docs/data-model.md). Units are in column names.

CREATE TABLE IF NOT EXISTS trusts (
  trust_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code         text NOT NULL UNIQUE,
  name         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- A room's X-ray equipment. The fingerprint is a hash of the identifying attributes as received
-- (manufacturer, model, station name, serial number, device observer UID), so the same unit sending
-- again maps to the same row without trusting any single attribute.
CREATE TABLE IF NOT EXISTS devices (
  device_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fingerprint          text NOT NULL UNIQUE,
  trust_id             bigint REFERENCES trusts (trust_id),
  manufacturer         text,
  model_name           text,
  station_name         text,
  serial_number        text,
  software_versions    text,
  device_observer_uid  text,
  institution_name     text,
  department_name      text,
  room_name            text,
  first_seen_at        timestamptz NOT NULL DEFAULT now(),
  last_seen_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS devices_trust_idx ON devices (trust_id);

-- Patients are never stored in clear: only keyed hashes of their identifiers (HMAC-SHA-256).
CREATE TABLE IF NOT EXISTS patients (
  patient_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  birth_year   integer CHECK (birth_year BETWEEN 1850 AND 2200),
  sex          text CHECK (sex IN ('F', 'M', 'O')),
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per identifier known for a patient: the NHS number (same hash from every trust, which
-- links the regional history) and local MRNs (hashed together with their issuer).
CREATE TABLE IF NOT EXISTS patient_identifiers (
  identifier_hash  text PRIMARY KEY,
  patient_id       bigint NOT NULL REFERENCES patients (patient_id),
  kind             text NOT NULL CHECK (kind IN ('nhs_number', 'local')),
  trust_id         bigint REFERENCES trusts (trust_id),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS patient_identifiers_patient_idx ON patient_identifiers (patient_id);

CREATE TABLE IF NOT EXISTS studies (
  study_id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  study_instance_uid       text NOT NULL UNIQUE,
  patient_id               bigint REFERENCES patients (patient_id),
  trust_id                 bigint REFERENCES trusts (trust_id),
  device_id                bigint REFERENCES devices (device_id),
  modality                 text NOT NULL,
  study_datetime           timestamptz,
  accession_hash           text,
  study_description        text,
  requested_procedure      text,
  procedure_code           text,
  patient_age_years        double precision,
  patient_weight_kg        double precision,
  patient_height_m         double precision,
  total_dlp_mgycm          double precision,
  total_dap_gycm2          double precision,
  total_dose_rp_gy         double precision,
  total_agd_mgy            double precision,
  total_activity_mbq       double precision,
  event_count              integer NOT NULL DEFAULT 0,
  details                  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS studies_patient_time_idx ON studies (patient_id, study_datetime DESC);
CREATE INDEX IF NOT EXISTS studies_device_time_idx ON studies (device_id, study_datetime);
CREATE INDEX IF NOT EXISTS studies_time_brin_idx ON studies USING brin (study_datetime);

-- Every received SOP instance, whatever became of it: the idempotency key and the audit of arrival.
CREATE TABLE IF NOT EXISTS source_objects (
  source_object_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sop_instance_uid   text NOT NULL UNIQUE,
  sop_class_uid      text,
  sha256             text NOT NULL,
  byte_size          bigint NOT NULL CHECK (byte_size >= 0),
  transport          text NOT NULL CHECK (transport IN ('dimse', 'stow', 'file', 'reprocess')),
  sender             text,
  storage_path       text,
  received_at        timestamptz NOT NULL DEFAULT now(),
  status             text NOT NULL CHECK (status IN ('received', 'stored', 'extracted', 'not_dose', 'quarantined')),
  error_code         text,
  error_message      text,
  study_id           bigint REFERENCES studies (study_id),
  extractor          text,
  extractor_version  integer
);
CREATE INDEX IF NOT EXISTS source_objects_study_idx ON source_objects (study_id);
CREATE INDEX IF NOT EXISTS source_objects_sha256_idx ON source_objects (sha256);
CREATE INDEX IF NOT EXISTS source_objects_status_idx ON source_objects (status) WHERE status <> 'extracted';

-- Objects that could not be parsed, extracted or stored, with the reason. Keyed by content hash
-- because a broken file may have no readable SOP Instance UID.
CREATE TABLE IF NOT EXISTS quarantine (
  quarantine_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_object_id   bigint REFERENCES source_objects (source_object_id),
  sha256             text NOT NULL,
  byte_size          bigint NOT NULL,
  sop_instance_uid   text,
  transport          text NOT NULL,
  sender             text,
  storage_path       text,
  reason_code        text NOT NULL,
  reason             text NOT NULL,
  detail             jsonb NOT NULL DEFAULT '{}'::jsonb,
  quarantined_at     timestamptz NOT NULL DEFAULT now(),
  retry_count        integer NOT NULL DEFAULT 0,
  last_retry_at      timestamptz,
  resolved_at        timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS quarantine_open_sha_idx ON quarantine (sha256) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS quarantine_time_idx ON quarantine (quarantined_at DESC);
