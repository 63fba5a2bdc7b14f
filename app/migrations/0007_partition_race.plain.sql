-- Two first ingests of one month at once failed with 42P07 (relation "irradiation_events_y…" already
-- exists): the second caller waited on the advisory lock, then asked to_regclass with a catalog it had
-- not refreshed (an advisory lock reads no invalidation messages), saw no partition and created it
-- again. A table lock does read them, so the question is asked again after the table locks; the
-- locks are taken in the ingest's order, as in 0005.
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
  LOCK TABLE source_objects, studies IN SHARE ROW EXCLUSIVE MODE;
  LOCK TABLE irradiation_events IN ACCESS EXCLUSIVE MODE;
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
