/**
 * Decisions (#15): remediations (ban, captcha, throttle) on an IP or a network, with their expiry as an
 * absolute time, so a restart restores exactly what was active and an expired decision leaves the active set
 * by the clock alone (queries filter on until > now; a periodic prune removes old rows). `net` is the target
 * as a cidr, so "which decisions cover this address" is one indexed containment test. Deleting a decision
 * expires it (until = now) as CrowdSec does, so bouncers polling the stream see it under `deleted`.
 *
 * decision_offences counts each source's offences for the escalating durations, apart from the decisions
 * (which are pruned sooner than the repeat window). bouncers holds bouncer keys (hashes only) and each
 * bouncer's last pull, which the stream's deltas are computed from. decision_generation moves on every
 * change, keying the cached decision aggregates.
 */
export const id = '0013_decisions';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS decisions (
  id         bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL,
  until      timestamptz NOT NULL,
  scope      text NOT NULL,
  value      text NOT NULL,
  net        cidr NOT NULL,
  type       text NOT NULL,
  origin     text NOT NULL,
  scenario   text NOT NULL,
  rule_id    text,
  simulated  boolean NOT NULL DEFAULT false,
  country    text
);
CREATE INDEX IF NOT EXISTS decisions_until ON decisions (until);
CREATE INDEX IF NOT EXISTS decisions_created ON decisions (created_at);
CREATE INDEX IF NOT EXISTS decisions_value ON decisions (value, until);
CREATE INDEX IF NOT EXISTS decisions_net ON decisions USING gist (net inet_ops);

CREATE TABLE IF NOT EXISTS decision_offences (
  value    text PRIMARY KEY,
  offences integer NOT NULL,
  last_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS decision_generation (
  id         integer PRIMARY KEY,
  generation bigint NOT NULL
);
INSERT INTO decision_generation (id, generation) VALUES (1, 0) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS bouncers (
  id         text PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  key_hash   text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  last_pull  timestamptz,
  user_agent text,
  ip         text
);
`;
