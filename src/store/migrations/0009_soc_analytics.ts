/**
 * SOC analytics (issue #11): hourly rollups keyed by site (host) and by attacking IP, so overview, timelines,
 * heatmaps, geo and map points read a few thousand rollup rows whatever the traffic; analyst verdicts; the
 * indexes the paginated lists need; a generation counter bumped when threats land (the API's cache key).
 *
 * - rollup_hour_site: requests, threats and threats per severity per UTC hour and host ('' when the log has
 *   none). Sums per hour over hosts give the site-less answer.
 * - rollup_hour_threat_ip: per hour, host and attacking IP: threats, worst score and severity, with the IP's
 *   geo (latest seen). Distinct IPs per country or ASN, top attackers, map points and recurrence read it.
 * - requests (time, id) and (ip, time): the traffic list's first and deep pages (keyset), and an IP's recent
 *   requests, without walking the BRIN ranges of a day. The cost is two btrees on the write-heavy table.
 * - rampart_inet(text): the stored IP as inet, NULL when the text is not an address (IPs are stored as text,
 *   so a malformed one must not fail a CIDR filter).
 */
export const id = '0009_soc_analytics';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS rollup_hour_site (
  hour     timestamptz NOT NULL,
  host     text NOT NULL,
  requests integer NOT NULL DEFAULT 0,
  threats  integer NOT NULL DEFAULT 0,
  info     integer NOT NULL DEFAULT 0,
  low      integer NOT NULL DEFAULT 0,
  medium   integer NOT NULL DEFAULT 0,
  high     integer NOT NULL DEFAULT 0,
  critical integer NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, host)
);
CREATE INDEX IF NOT EXISTS rollup_hour_site_host_idx ON rollup_hour_site (host, hour);

CREATE TABLE IF NOT EXISTS rollup_hour_threat_ip (
  hour         timestamptz NOT NULL,
  host         text NOT NULL,
  ip           text NOT NULL,
  threats      integer NOT NULL,
  high         integer NOT NULL,
  critical     integer NOT NULL,
  max_score    real NOT NULL,
  max_severity smallint NOT NULL,
  country      text,
  asn          bigint,
  as_org       text,
  latitude     float8,
  longitude    float8,
  PRIMARY KEY (hour, host, ip)
);
CREATE INDEX IF NOT EXISTS rollup_hour_threat_ip_ip_idx ON rollup_hour_threat_ip (ip, hour);

CREATE TABLE IF NOT EXISTS ip_verdicts (
  id         bigserial PRIMARY KEY,
  ip         text NOT NULL,
  verdict    text NOT NULL CHECK (verdict IN ('bot', 'legitimate', 'suspicious', 'malicious')),
  comment    text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  analyst    text NOT NULL CHECK (length(analyst) <= 200),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ip_verdicts_ip_idx ON ip_verdicts (ip, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS ip_verdicts_time_idx ON ip_verdicts (created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS analytics_generation (
  id         smallint PRIMARY KEY CHECK (id = 1),
  generation bigint NOT NULL
);
INSERT INTO analytics_generation (id, generation) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;

CREATE INDEX IF NOT EXISTS requests_time_id_idx ON requests (time DESC, id DESC);
CREATE INDEX IF NOT EXISTS requests_ip_time_idx ON requests (ip, time DESC);
CREATE INDEX IF NOT EXISTS threats_host_time_idx ON threats (host, time DESC);
CREATE INDEX IF NOT EXISTS threats_time_id_idx ON threats (time DESC, id DESC);
CREATE INDEX IF NOT EXISTS threat_hits_rule_idx ON threat_hits (rule_id, threat_id);

CREATE OR REPLACE FUNCTION rampart_inet(t text) RETURNS inet
  LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
BEGIN
  RETURN t::inet;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$;
`;
