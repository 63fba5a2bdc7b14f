-- TimescaleDB creates chunks itself; the plain path's partition race (0007_partition_race.plain.sql)
-- does not arise: nothing to change.
SELECT 1;
