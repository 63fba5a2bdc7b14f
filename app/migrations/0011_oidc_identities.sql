-- OpenID Connect sign-in (docs/adr/0007): which Kerma user an identity provider's account is, and the
-- sign-in flows under way between the redirect to the provider and its callback.

-- An identity is the provider's (issuer, subject) pair: OpenID Connect Core 1.0 §5.7 makes it the only
-- stable, unique key. E-mail addresses and names are reassigned, so a user is never found by them.
CREATE TABLE IF NOT EXISTS oidc_identities (
  issuer         text NOT NULL,
  subject        text NOT NULL,
  user_id        bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_sign_in   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX IF NOT EXISTS oidc_identities_user_idx ON oidc_identities (user_id);

-- One row per redirect to the provider, consumed by its callback. The browser holds a random token in
-- a cookie and this table keeps its SHA-256 with the state, nonce and PKCE verifier, so the verifier
-- never travels through the browser and a flow can be finished once only, by the browser that began it.
CREATE TABLE IF NOT EXISTS oidc_flows (
  token_sha256   text PRIMARY KEY,
  state          text NOT NULL,
  nonce          text NOT NULL,
  code_verifier  text NOT NULL,
  next_path      text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS oidc_flows_created_idx ON oidc_flows (created_at);
