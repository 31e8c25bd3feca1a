/**
 * Per-minute counts of closed IP windows by threat level. Most windows are one or two requests from an address
 * seen once; a row each made ip_windows grow almost one row per request (995,171 rows for 1,000,000 lines from
 * 432,732 IPs). Those are now only counted here; ip_windows keeps the windows worth a row (see windows.ts).
 * `windows` counts every window closed in the minute (stored or not), `stored` those that also have a row.
 */
export const id = '0005_window_rollup';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS rollup_minute_window (
  minute       timestamptz NOT NULL,
  threat_level text NOT NULL,
  windows      integer NOT NULL,
  stored       integer NOT NULL,
  hits         bigint NOT NULL,
  PRIMARY KEY (minute, threat_level)
);
`;
