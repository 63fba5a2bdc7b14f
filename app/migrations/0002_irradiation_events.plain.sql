-- Irradiation events without TimescaleDB: native range partitioning by month on occurred_at, so
-- time-bounded queries prune partitions as they would prune hypertable chunks. Keys include the
-- time column, exactly as on the TimescaleDB path, so both paths accept the same statements.

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
) PARTITION BY RANGE (occurred_at);

CREATE TABLE IF NOT EXISTS irradiation_events_default PARTITION OF irradiation_events DEFAULT;
CREATE INDEX IF NOT EXISTS irradiation_events_study_idx ON irradiation_events (study_id);
CREATE INDEX IF NOT EXISTS irradiation_events_time_idx ON irradiation_events (occurred_at DESC);

-- Creates the month partition holding `t` if it does not exist. Rows of that month that reached the
-- default partition first are moved into it (PostgreSQL refuses to attach a range the default
-- partition already holds). Safe to call concurrently: a lost race on creation is ignored.
CREATE OR REPLACE FUNCTION kerma_ensure_event_partition(t timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  lower_bound timestamptz := date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  upper_bound timestamptz := lower_bound + interval '1 month';
  partition_name text := format('irradiation_events_y%sm%s',
    to_char(lower_bound AT TIME ZONE 'UTC', 'YYYY'), to_char(lower_bound AT TIME ZONE 'UTC', 'MM'));
BEGIN
  IF to_regclass(partition_name) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('kerma_event_partitions'));
  IF to_regclass(partition_name) IS NOT NULL THEN
    RETURN;
  END IF;
  CREATE TEMP TABLE kerma_moved_events ON COMMIT DROP AS
    SELECT * FROM irradiation_events_default WHERE occurred_at >= lower_bound AND occurred_at < upper_bound;
  DELETE FROM irradiation_events_default WHERE occurred_at >= lower_bound AND occurred_at < upper_bound;
  EXECUTE format('CREATE TABLE %I PARTITION OF irradiation_events FOR VALUES FROM (%L) TO (%L)',
    partition_name, lower_bound, upper_bound);
  INSERT INTO irradiation_events OVERRIDING SYSTEM VALUE SELECT * FROM kerma_moved_events;
  DROP TABLE kerma_moved_events;
END;
$$;
