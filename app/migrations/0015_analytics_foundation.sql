-- The tables the analytics features share (docs/adr/0011-analytics-data-model.md): reference sets
-- and their values, standard procedures, each study's mapping and patient-size provenance, and the
-- per-exam dose figures. Each feature's own tables come in its own migration.

-- A published (or locally derived) set of reference figures in one edition. A set is never edited:
-- a new edition supersedes the current one of the same set_key, and comparisons keep the id of the
-- value they used, so a result always says which edition it came from.
CREATE TABLE IF NOT EXISTS reference_sets (
  reference_set_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  set_key           text NOT NULL,
  kind              text NOT NULL CHECK (kind IN (
                      'national-drl', 'local-drl', 'ct-notification-value', 'fluoroscopy-substantial-dose',
                      'ct-k-factor', 'ssde-conversion', 'nm-effective-dose', 'dap-effective-dose',
                      'cqc-significant-exposure', 'backscatter-factor')),
  title             text NOT NULL,
  publisher         text NOT NULL,
  edition           text NOT NULL,
  effective_from    date,
  source_title      text NOT NULL,
  source_url        text,
  -- Local DRLs of one trust; NULL for national and consortium-wide sets.
  trust_id          bigint REFERENCES trusts (trust_id),
  builtin           boolean NOT NULL DEFAULT false,
  -- The set exactly as loaded and validated (reference-levels/schema.ts).
  document          jsonb NOT NULL,
  loaded_at         timestamptz NOT NULL DEFAULT now(),
  loaded_by         text,
  superseded_by     bigint REFERENCES reference_sets (reference_set_id),
  superseded_at     timestamptz,
  UNIQUE (set_key, edition)
);
-- At most one current edition per set.
CREATE UNIQUE INDEX IF NOT EXISTS reference_sets_current_idx ON reference_sets (set_key) WHERE superseded_by IS NULL;

-- One figure of a set. Units are in `quantity` (ctdivol_mgy, dlp_mgycm, dap_gycm2, kar_gy,
-- fluoro_time_s, agd_mgy, activity_mbq, k_msv_per_mgycm, e_msv_per_mbq, e_msv_per_gycm2, …).
-- Only status C (confirmed) and S (secondary: "verify against primary") figures are ever stored.
CREATE TABLE IF NOT EXISTS reference_values (
  reference_value_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reference_set_id    bigint NOT NULL REFERENCES reference_sets (reference_set_id),
  value_key           text NOT NULL,
  modality            text,
  -- DRL rows: the DRL category of standard procedures they apply to.
  drl_category        text,
  -- Conversion factors: body region (DICOM Body Part Examined term) and age band ('adult', '0y'…).
  body_region         text,
  age_band            text,
  quantity            text NOT NULL,
  value               double precision NOT NULL,
  status              text NOT NULL CHECK (status IN ('C', 'S')),
  status_note         text,
  attributes          jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (reference_set_id, value_key, quantity)
);
CREATE INDEX IF NOT EXISTS reference_values_drl_category_idx ON reference_values (drl_category, quantity)
  WHERE drl_category IS NOT NULL;

-- What a study "is" for comparisons: a NICIP-style standard procedure with its body region (DICOM
-- Body Part Examined defined term), the DRL category it is compared under (NULL: never compared) and
-- whether it has a side.
CREATE TABLE IF NOT EXISTS standard_procedures (
  code          text PRIMARY KEY,
  name          text NOT NULL,
  modality      text NOT NULL,
  body_region   text NOT NULL,
  drl_category  text,
  has_laterality boolean NOT NULL DEFAULT false,
  builtin       boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The mapping of each study (procedure rules fill it; NULL: unmapped, never compared with a DRL).
ALTER TABLE studies ADD COLUMN IF NOT EXISTS standard_procedure_code text REFERENCES standard_procedures (code);
CREATE INDEX IF NOT EXISTS studies_standard_procedure_time_idx ON studies (standard_procedure_code, study_datetime)
  WHERE standard_procedure_code IS NOT NULL;

-- Where the study's patient size came from: NULL when read from the DICOM objects, 'imported' when
-- a physicist's RIS file filled it (patient-size import never overwrites a DICOM value).
ALTER TABLE studies ADD COLUMN IF NOT EXISTS patient_weight_source text CHECK (patient_weight_source IN ('imported'));
ALTER TABLE studies ADD COLUMN IF NOT EXISTS patient_height_source text CHECK (patient_height_source IN ('imported'));

-- Per-exam dose figures derived from the study and the reference sets (recomputed when the study,
-- its mapping, its patient size or a reference edition changes). Unknown is NULL, never 0.
CREATE TABLE IF NOT EXISTS study_dose_metrics (
  study_id                           bigint PRIMARY KEY REFERENCES studies (study_id),
  computed_at                        timestamptz NOT NULL DEFAULT now(),
  effective_dose_msv                 double precision,
  -- 'ct-k-factor', 'nm-per-mbq', 'dap-conversion'
  effective_dose_method              text,
  effective_dose_reference_value_id  bigint REFERENCES reference_values (reference_value_id)
);
