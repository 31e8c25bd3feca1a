/**
 * API keys (#12): who may call the API. Only a SHA-256 of each key is kept (keys are 256 random bits, so a
 * plain hash is enough: there is nothing to guess). A name names at most one active key; revoked rows stay,
 * so `rampart keys list --all` can show what existed and when it was revoked.
 */
export const id = '0011_api_keys';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS api_keys (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  scopes       text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
`;
