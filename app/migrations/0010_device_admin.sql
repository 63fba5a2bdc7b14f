-- Rooms and devices page (docs/adr/0009-rooms-devices-and-quarantine.md).

-- Who last named a room and when: the page tells a name an administrator chose from the one Kerma
-- derived from the first object ('<InstitutionName> <StationName>').
ALTER TABLE devices ADD COLUMN IF NOT EXISTS room_name_set_by text;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS room_name_set_at timestamptz;

-- "Rooms that sent nothing for N days" on the overview: a range scan on last_seen_at.
CREATE INDEX IF NOT EXISTS devices_last_seen_idx ON devices (last_seen_at);

-- The quarantine page lists one trust's open entries newest first.
CREATE INDEX IF NOT EXISTS quarantine_open_trust_idx ON quarantine (trust_id, quarantined_at DESC) WHERE resolved_at IS NULL;
