/**
 * Behaviour aggregates kept by ingest (issue #11), so the behaviour analytics read small tables instead of scanning
 * requests or windows at query time. All are written by the batch writer in the batch's transaction, from the rows
 * the batch added (src/store/behaviour-aggregates.ts, cascade.ts), and pruned with requests.
 *
 * - rollup_hour_agent: requests per hour, host and client family: user-agent families and major versions (kind
 *   browser, bot, tool, other, none) and JA4 fingerprints (kind ja4: family is the JA4_a part, version the whole
 *   fingerprint). `ips` is a 4096-bit linear-counting sketch of the distinct IPs: OR-ed on upsert and over a range
 *   (bit_or), its zero bits give the estimate (see agentIps).
 * - rollup_hour_feature: per hour, threat level and window feature, the count, sum, sum of squares, min, max and a
 *   fixed-bin histogram of the stored windows (src/store/window-features.ts): GET /api/features and /api/behavior.
 * - behaviour_baseline_day: per day, baseline (benign_browser, datacenter) and feature: count, sum, sum of squares,
 *   min, max; GET /api/ip/:ip/radar normalises an IP's features against them.
 * - ip_scenario_hour: per behaviour scenario, hour and IP: windows that tripped it, flagged events, hits, first and
 *   last seen, most user agents and JA4s in one window, a few targets (paths) and hosts; GET /api/brute-force,
 *   /api/ua-rotation, /api/ja4-rotation, /api/recurrence.
 * - ip_cascade: page views and the sub-resources that followed each (count and a few paths), trimmed to the
 *   latest CASCADE_PAGES_PER_IP of an IP as new ones land (src/store/cascade.ts CascadeTrim): GET /api/cascade/:ip.
 */
export const id = '0010_behaviour_aggregates';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS rollup_hour_agent (
  hour     timestamptz NOT NULL,
  host     text NOT NULL,
  kind     text NOT NULL,
  family   text NOT NULL,
  version  text NOT NULL,
  requests integer NOT NULL,
  ips      bit(4096) NOT NULL,
  PRIMARY KEY (hour, kind, family, version, host)
);

CREATE TABLE IF NOT EXISTS rollup_hour_feature (
  hour         timestamptz NOT NULL,
  threat_level text NOT NULL,
  feature      text NOT NULL,
  n            integer NOT NULL,
  sum          float8 NOT NULL,
  sumsq        float8 NOT NULL,
  min          float8 NOT NULL,
  max          float8 NOT NULL,
  bins         integer[] NOT NULL,
  PRIMARY KEY (hour, threat_level, feature)
);

CREATE TABLE IF NOT EXISTS behaviour_baseline_day (
  day      timestamptz NOT NULL,
  baseline text NOT NULL,
  feature  text NOT NULL,
  n        integer NOT NULL,
  sum      float8 NOT NULL,
  sumsq    float8 NOT NULL,
  min      float8 NOT NULL,
  max      float8 NOT NULL,
  PRIMARY KEY (day, baseline, feature)
);

CREATE TABLE IF NOT EXISTS ip_scenario_hour (
  scenario        text NOT NULL,
  hour            timestamptz NOT NULL,
  ip              text NOT NULL,
  windows         integer NOT NULL,
  events          integer NOT NULL,
  hits            bigint NOT NULL,
  first_seen      timestamptz NOT NULL,
  last_seen       timestamptz NOT NULL,
  max_user_agents integer NOT NULL,
  max_ja4s        integer NOT NULL,
  targets         text[] NOT NULL DEFAULT '{}',
  hosts           text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (scenario, hour, ip)
);
-- The other scenarios of the IPs of one page (recurrence's evidence), and retention.
CREATE INDEX IF NOT EXISTS ip_scenario_hour_ip_idx ON ip_scenario_hour (ip, hour);

CREATE TABLE IF NOT EXISTS ip_cascade (
  ip        text NOT NULL,
  page_time timestamptz NOT NULL,
  page_id   text NOT NULL,
  host      text,
  path      text NOT NULL,
  status    integer NOT NULL,
  sub_count integer NOT NULL,
  sub_paths text[] NOT NULL DEFAULT '{}',
  last_time timestamptz NOT NULL,
  PRIMARY KEY (ip, page_time, page_id)
);
-- Retention deletes by time; rows arrive roughly in time order (see requests_time_brin).
CREATE INDEX IF NOT EXISTS ip_cascade_time_brin ON ip_cascade USING brin (page_time);
`;
