-- TimescaleDB creates chunks itself, without the lock-order problem of the plain path's
-- kerma_ensure_event_partition (see 0005_partition_lock_order.plain.sql): nothing to change.
SELECT 1;
