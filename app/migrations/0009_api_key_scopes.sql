-- API key scopes and bindings (issue 10), and the DICOM calling AE titles as data an admin edits.

-- A key now says what it may do (scopes) and for whom: one trust (trust_id) or, for a regional
-- integration engine, the whole consortium (trust_id NULL, consortium true). Existing keys were all
-- STOW-RS senders of one trust, so they become trust-bound keys with the scope 'ingest' only: they
-- keep working exactly as before and gain nothing. The default is dropped afterwards, so every new
-- key states its scopes.
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS scopes text[] NOT NULL DEFAULT ARRAY['ingest']::text[];
ALTER TABLE api_keys ALTER COLUMN scopes DROP DEFAULT;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS consortium boolean NOT NULL DEFAULT false;
ALTER TABLE api_keys ALTER COLUMN trust_id DROP NOT NULL;
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_scopes_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (
  cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'orders', 'duplicate-check', 'read']::text[]
);
ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_binding_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_binding_check CHECK ((trust_id IS NULL) = consortium);

-- Calling AE title -> trust, for the DICOM listener. It was trusts.calling_ae_titles, rewritten from
-- KERMA_TRUSTS_FILE at every start, so an admin could not change it without editing a file on the
-- server. Now the table is the source of truth (admin page, audited); the file only seeds the titles
-- of a trust it creates. The primary key makes a title belong to one trust at most, which the file
-- loader could only check within one file.
CREATE TABLE IF NOT EXISTS dicom_calling_ae_titles (
  ae_title    text PRIMARY KEY CHECK (ae_title ~ '^[ -~]{1,16}$' AND ae_title = btrim(ae_title)),
  trust_id    bigint NOT NULL REFERENCES trusts (trust_id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dicom_calling_ae_titles_trust_idx ON dicom_calling_ae_titles (trust_id);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'trusts' AND column_name = 'calling_ae_titles') THEN
    INSERT INTO dicom_calling_ae_titles (ae_title, trust_id)
    SELECT DISTINCT ON (btrim(ae)) btrim(ae), trust_id
    FROM trusts, unnest(calling_ae_titles) AS ae
    WHERE btrim(ae) <> ''
    ORDER BY btrim(ae), trust_id
    ON CONFLICT (ae_title) DO NOTHING;
    ALTER TABLE trusts DROP COLUMN calling_ae_titles;
  END IF;
END
$$;
