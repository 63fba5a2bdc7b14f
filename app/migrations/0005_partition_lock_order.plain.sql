-- Month partitions without deadlocks. Creating a partition locks the tables its foreign keys point
-- to (source_objects, studies: SHARE ROW EXCLUSIVE), the parent and the default partition (ACCESS
-- EXCLUSIVE). An ingest transaction writes source_objects and studies before irradiation_events;
-- the 0002 function took the event tables first, so the two waited for each other (a deadlock every
-- time a month began during a busy import). Take the locks in the ingest's order, up front: an
-- ingest in progress is then waited for, never deadlocked with.
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
  LOCK TABLE source_objects, studies IN SHARE ROW EXCLUSIVE MODE;
  LOCK TABLE irradiation_events IN ACCESS EXCLUSIVE MODE;
  CREATE TEMP TABLE kerma_moved_events ON COMMIT DROP AS
    SELECT * FROM irradiation_events_default WHERE occurred_at >= lower_bound AND occurred_at < upper_bound;
  DELETE FROM irradiation_events_default WHERE occurred_at >= lower_bound AND occurred_at < upper_bound;
  EXECUTE format('CREATE TABLE %I PARTITION OF irradiation_events FOR VALUES FROM (%L) TO (%L)',
    partition_name, lower_bound, upper_bound);
  INSERT INTO irradiation_events OVERRIDING SYSTEM VALUE SELECT * FROM kerma_moved_events;
  DROP TABLE kerma_moved_events;
END;
$$;
