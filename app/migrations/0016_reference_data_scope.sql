-- Reference sets (issue 11, docs/adr/0012-reference-sets.md): a calling system (a physics team's
-- script, a regional data service) loads new editions through POST /api/v1/reference-sets with an
-- API key of the scope 'reference-data'. The key scopes are a CHECK (migration 0009), so the new
-- scope is added to its list here; every existing key keeps its scopes.
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_scopes_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (
  cardinality(scopes) > 0
  AND scopes <@ ARRAY['ingest', 'orders', 'duplicate-check', 'read', 'reference-data']::text[]
);
