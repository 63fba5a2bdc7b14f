-- Per-exam dose metrics, DRL comparisons and local DRLs (docs/adr/0011-dose-metrics-and-drl-compliance.md).
-- Everything here is derived: analytics/dose-metrics recomputes it from the studies, their events,
-- their standard procedure and the current reference editions; analytics/drl computes local DRLs.

-- Why an estimate is missing or what it rests on, beside the figures of migration 0015.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS effective_dose_missing_reason text;
-- Every factor an effective dose used (an NM study may combine two radiopharmaceuticals);
-- effective_dose_reference_value_id holds it when there is exactly one.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS effective_dose_reference_value_ids bigint[];
-- CT: the k-factor's region ('head', 'chest', 'abdomen_pelvis', 'trunk', 'neck') and age band.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS k_body_region text;
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS age_band text;
-- CT: the CTDIvol phantom(s) of the study's sequences ('16cm', '32cm', 'mixed'; NULL = not stated).
-- Recorded beside the k-factor estimate because k-factor sets assume a phantom.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ct_phantom text CHECK (ct_phantom IN ('16cm', '32cm', 'mixed'));
-- CT: CTDIvol of each sequence (localizers excluded), in acquisition order: the DRL quantity is
-- "CTDIvol per sequence", and room medians are taken over sequences.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ctdivol_sequences_mgy double precision[];
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ctdivol_max_mgy double precision;
-- SSDE of the sequence with the highest SSDE, how it was obtained, the size it used and the
-- conversion constants (reference values) it used.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ssde_mgy double precision;
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ssde_method text
  CHECK (ssde_method IN ('aapm-220-water-equivalent-diameter', 'aapm-204-effective-diameter', 'device-reported'));
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ssde_size_cm double precision;
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS ssde_reference_value_ids bigint[];
-- Any national (local) DRL comparison of the study above its level; NULL when never compared.
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS above_national_drl boolean;
ALTER TABLE study_dose_metrics ADD COLUMN IF NOT EXISTS above_local_drl boolean;

-- One comparison of a study with a DRL: which edition (reference_value_id), what was compared and
-- the outcome. CT: CTDIvol per sequence (the highest sequence, and how many exceeded) and DLP per
-- exam; projection: DAP per exam.
CREATE TABLE IF NOT EXISTS study_drl_comparisons (
  study_id            bigint NOT NULL REFERENCES studies (study_id),
  scope               text NOT NULL CHECK (scope IN ('national', 'local')),
  quantity            text NOT NULL CHECK (quantity IN ('ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2')),
  reference_value_id  bigint NOT NULL REFERENCES reference_values (reference_value_id),
  observed            double precision NOT NULL,
  reference_level     double precision NOT NULL,
  ratio               double precision NOT NULL,
  above               boolean NOT NULL,
  sequences_compared  integer,
  sequences_above     integer,
  computed_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (study_id, scope, quantity)
);
-- "Which studies used this edition" when an edition is superseded.
CREATE INDEX IF NOT EXISTS study_drl_comparisons_reference_idx ON study_drl_comparisons (reference_value_id);

-- One `kerma drl compute`: the period, who counts as a typical patient, and the minimum sample.
CREATE TABLE IF NOT EXISTS local_drl_runs (
  local_drl_run_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  computed_at       timestamptz NOT NULL DEFAULT now(),
  -- First and last day (inclusive) in time_zone.
  period_from       date NOT NULL,
  period_to         date NOT NULL,
  time_zone         text NOT NULL,
  min_sample        integer NOT NULL CHECK (min_sample >= 1),
  -- Typical patients: weight in [min, max] where the weight is known; NULL bounds = no band.
  weight_min_kg     double precision,
  weight_max_kg     double precision,
  computed_by       text,
  CHECK (period_from <= period_to)
);
CREATE INDEX IF NOT EXISTS local_drl_runs_time_idx ON local_drl_runs (computed_at DESC);

-- Each room's (device's) median for a standard procedure and quantity in a run, with the national
-- DRL it was compared with.
CREATE TABLE IF NOT EXISTS local_drl_room_medians (
  local_drl_run_id             bigint NOT NULL REFERENCES local_drl_runs (local_drl_run_id) ON DELETE CASCADE,
  standard_procedure_code      text NOT NULL REFERENCES standard_procedures (code),
  quantity                     text NOT NULL CHECK (quantity IN ('ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2')),
  device_id                    bigint NOT NULL REFERENCES devices (device_id),
  trust_id                     bigint REFERENCES trusts (trust_id),
  sample_size                  integer NOT NULL,
  studies                      integer NOT NULL,
  median                       double precision NOT NULL,
  meets_minimum_sample         boolean NOT NULL,
  national_reference_value_id  bigint REFERENCES reference_values (reference_value_id),
  national_level               double precision,
  ratio_to_national            double precision,
  above_national               boolean,
  PRIMARY KEY (local_drl_run_id, standard_procedure_code, quantity, device_id)
);
CREATE INDEX IF NOT EXISTS local_drl_room_medians_trust_idx ON local_drl_room_medians (trust_id, local_drl_run_id);

-- The consortium local DRL of a run: the third quartile of the medians of the rooms that reached the
-- minimum sample (ICRP 135).
CREATE TABLE IF NOT EXISTS local_drls (
  local_drl_run_id             bigint NOT NULL REFERENCES local_drl_runs (local_drl_run_id) ON DELETE CASCADE,
  standard_procedure_code      text NOT NULL REFERENCES standard_procedures (code),
  quantity                     text NOT NULL CHECK (quantity IN ('ctdivol_mgy', 'dlp_mgycm', 'dap_gycm2')),
  rooms                        integer NOT NULL,
  rooms_below_minimum          integer NOT NULL,
  sample_size                  integer NOT NULL,
  third_quartile               double precision,
  national_reference_value_id  bigint REFERENCES reference_values (reference_value_id),
  national_level               double precision,
  PRIMARY KEY (local_drl_run_id, standard_procedure_code, quantity)
);
