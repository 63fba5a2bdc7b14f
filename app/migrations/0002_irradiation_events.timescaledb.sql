-- Irradiation events on TimescaleDB: a hypertable chunked by month with native compression for
-- chunks older than six months. Keys include the time column, as TimescaleDB requires of every
-- unique index, and match the plain-PostgreSQL path column for column.

CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE IF NOT EXISTS irradiation_events (
  event_id                   bigint GENERATED ALWAYS AS IDENTITY,
  occurred_at                timestamptz NOT NULL,
  study_id                   bigint NOT NULL REFERENCES studies (study_id),
  irradiation_event_uid      text NOT NULL,
  source_object_id           bigint REFERENCES source_objects (source_object_id),
  modality                   text NOT NULL,
  event_kind                 text NOT NULL CHECK (event_kind IN ('ct', 'projection', 'radiopharmaceutical')),
  acquisition_protocol       text,
  target_region              text,
  ctdivol_mgy                double precision,
  dlp_mgycm                  double precision,
  dap_gycm2                  double precision,
  dose_rp_gy                 double precision,
  agd_mgy                    double precision,
  administered_activity_mbq  double precision,
  details                    jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (event_id, occurred_at),
  UNIQUE (study_id, irradiation_event_uid, occurred_at)
);

SELECT create_hypertable('irradiation_events', by_range('occurred_at', INTERVAL '1 month'), if_not_exists => true);
CREATE INDEX IF NOT EXISTS irradiation_events_study_idx ON irradiation_events (study_id);

-- Segment by modality: dashboard scans filter by modality and time; per-study reads use the
-- study index on uncompressed recent chunks.
ALTER TABLE irradiation_events SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'modality',
  timescaledb.compress_orderby = 'occurred_at DESC, event_id'
);
SELECT add_compression_policy('irradiation_events', INTERVAL '6 months', if_not_exists => true);

-- Same signature as the plain path, so the ingest store has one code path: TimescaleDB creates
-- chunks by itself.
CREATE OR REPLACE FUNCTION kerma_ensure_event_partition(t timestamptz) RETURNS void
LANGUAGE sql AS $$ SELECT NULL::void $$;
