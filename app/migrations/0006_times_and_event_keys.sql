-- Times and irradiation event identity (docs/adr/0005-times-and-event-identity.md).

-- A trust's devices may keep another zone than the deployment's (KERMA_TIMEZONE): the trusts file
-- names it, and objects that state no UTC offset of their own are read in it.
ALTER TABLE trusts ADD COLUMN IF NOT EXISTS time_zone text;

-- How study_datetime was read from the object's local date and time: its own offset (0008,0201),
-- the trust's zone or the deployment's; time_zone is that offset (±HH:MM) or zone name. NULL on
-- studies stored before this migration (read in the deployment's zone of the day, not recorded).
ALTER TABLE studies ADD COLUMN IF NOT EXISTS time_basis text
  CHECK (time_basis IN ('object-offset', 'trust-zone', 'default-zone'));
ALTER TABLE studies ADD COLUMN IF NOT EXISTS time_zone text;

-- An irradiation event is one event whatever time it was read at. irradiation_events is partitioned
-- (or a hypertable) by occurred_at, so each of its unique keys must include occurred_at and cannot
-- say "this UID once per study"; this small table does, and gives the time the event is stored at.
CREATE TABLE IF NOT EXISTS irradiation_event_keys (
  study_id               bigint NOT NULL REFERENCES studies (study_id),
  irradiation_event_uid  text NOT NULL,
  occurred_at            timestamptz NOT NULL,
  PRIMARY KEY (study_id, irradiation_event_uid)
);

-- Events already stored twice under one key (re-sent after the zone changed, or by two instances
-- configured differently): the first stays, as it would have under the new key.
DELETE FROM irradiation_events e
USING irradiation_events f
WHERE f.study_id = e.study_id AND f.irradiation_event_uid = e.irradiation_event_uid AND f.event_id < e.event_id;

UPDATE studies s SET event_count = c.n
FROM (SELECT study_id, count(*)::integer AS n FROM irradiation_events GROUP BY study_id) c
WHERE s.study_id = c.study_id AND s.event_count <> c.n;

INSERT INTO irradiation_event_keys (study_id, irradiation_event_uid, occurred_at)
SELECT study_id, irradiation_event_uid, occurred_at FROM irradiation_events
ON CONFLICT (study_id, irradiation_event_uid) DO NOTHING;
