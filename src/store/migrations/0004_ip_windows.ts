/**
 * Closed per-IP behaviour windows (features, scenarios tripped, threat level): what GET /api/scores and the
 * per-IP profile draw, and what the models issue trains on. One row per (ip, window_start); a re-flush of the
 * same window replaces its row. Only windows worth keeping are written (see StoreOptions.windowMinHits), and
 * they are pruned with requests (same retention).
 */
export const id = '0004_ip_windows';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS ip_windows (
  ip                   text NOT NULL,
  window_start         timestamptz NOT NULL,
  window_end           timestamptz NOT NULL,
  hits                 integer NOT NULL,
  velocity             real NOT NULL,
  ratio_4xx            real NOT NULL,
  ratio_404            real NOT NULL,
  ratio_post           real NOT NULL,
  ratio_static         real NOT NULL,
  ratio_direct         real NOT NULL,
  path_diversity       real NOT NULL,
  distinct_paths       integer NOT NULL,
  temporal_entropy     real NOT NULL,
  distinct_user_agents integer NOT NULL,
  distinct_ja4s        integer NOT NULL,
  mean_header_count    real,
  known_bot            text,
  scenarios            text[] NOT NULL DEFAULT '{}',
  threat_level         text NOT NULL,
  PRIMARY KEY (ip, window_start)
);
-- The scores table and retention read by time; the threat-level filter reads by level, then time.
CREATE INDEX IF NOT EXISTS ip_windows_start_idx ON ip_windows (window_start);
CREATE INDEX IF NOT EXISTS ip_windows_level_start_idx ON ip_windows (threat_level, window_start);
`;
