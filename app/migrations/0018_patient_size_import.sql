-- Patient size import (docs/adr/0014-patient-size-import.md) matches a RIS file's accession numbers
-- to studies by their keyed hash. Without an index each import would scan every study; the hash
-- already carries the trust, so the hash alone is selective.
CREATE INDEX IF NOT EXISTS studies_accession_hash_idx ON studies (accession_hash) WHERE accession_hash IS NOT NULL;
