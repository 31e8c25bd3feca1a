/**
 * Core schema. `requests` is the write-heavy raw table (PK and a BRIN time index only); `threats`
 * and `threat_hits` are the evidence, indexed for the API filters and kept longer; the rollup_* tables
 * are per-minute counters kept in the same transaction as the rows, so stats never scan raw rows.
 * IPs are text, not inet: a malformed address from a log must not fail its whole batch.
 */
export const id = '0001_core';

export const sql = /* sql */ `
CREATE TABLE requests (
  id           text PRIMARY KEY,
  time         timestamptz NOT NULL,
  ip           text NOT NULL,
  method       text NOT NULL,
  host         text,
  path         text NOT NULL,
  query        text NOT NULL,
  status       integer NOT NULL,
  bytes        bigint NOT NULL,
  referer      text,
  user_agent   text,
  request_time real,
  origin       text NOT NULL
);
-- BRIN, not btree: rows arrive roughly in time order, so a block-range index serves the retention
-- delete (time < cut-off) at almost no cost per insert, where a btree would add a second tree to update.
CREATE INDEX requests_time_brin ON requests USING brin (time);

CREATE TABLE threats (
  id             text PRIMARY KEY,
  time           timestamptz NOT NULL,
  ip             text NOT NULL,
  method         text NOT NULL,
  host           text,
  path           text NOT NULL,
  query          text NOT NULL,
  status         integer NOT NULL,
  bytes          bigint NOT NULL,
  user_agent     text,
  referer        text,
  score          real NOT NULL,
  severity       text NOT NULL,
  severity_score smallint NOT NULL,
  category       text NOT NULL,
  origin         text NOT NULL
);
CREATE INDEX threats_time_idx ON threats (time DESC);
CREATE INDEX threats_ip_time_idx ON threats (ip, time DESC);
CREATE INDEX threats_severity_time_idx ON threats (severity, time DESC);
CREATE INDEX threats_category_time_idx ON threats (category, time DESC);

CREATE TABLE threat_hits (
  threat_id  text NOT NULL REFERENCES threats (id) ON DELETE CASCADE,
  n          smallint NOT NULL,
  rule_id    text NOT NULL,
  category   text NOT NULL,
  severity   text NOT NULL,
  confidence real NOT NULL,
  field      text NOT NULL,
  fragment   text NOT NULL,
  transforms text[] NOT NULL DEFAULT '{}',
  simulated  boolean NOT NULL DEFAULT false,
  detail     text,
  PRIMARY KEY (threat_id, n)
);

CREATE TABLE rollup_minute (
  minute   timestamptz PRIMARY KEY,
  requests integer NOT NULL DEFAULT 0,
  threats  integer NOT NULL DEFAULT 0,
  info     integer NOT NULL DEFAULT 0,
  low      integer NOT NULL DEFAULT 0,
  medium   integer NOT NULL DEFAULT 0,
  high     integer NOT NULL DEFAULT 0,
  critical integer NOT NULL DEFAULT 0
);

CREATE TABLE rollup_minute_category (
  minute   timestamptz NOT NULL,
  category text NOT NULL,
  count    integer NOT NULL,
  PRIMARY KEY (minute, category)
);

CREATE TABLE rollup_minute_ip (
  minute   timestamptz NOT NULL,
  ip       text NOT NULL,
  requests integer NOT NULL,
  threats  integer NOT NULL,
  PRIMARY KEY (minute, ip)
);

CREATE TABLE rollup_minute_path (
  minute   timestamptz NOT NULL,
  path     text NOT NULL,
  requests integer NOT NULL,
  threats  integer NOT NULL,
  PRIMARY KEY (minute, path)
);

CREATE TABLE checkpoints (
  source      text PRIMARY KEY,
  file_id     text NOT NULL,
  byte_offset bigint NOT NULL,
  line        bigint NOT NULL,
  head_hash   text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
`;
