/**
 * Geo and network of each threat's source, written with the threat (annotated in the pipeline from the
 * local databases), so lists and maps never look anything up at read time. Nullable: threats stored
 * before this migration, or without a GeoIP database, have none.
 */
export const id = '0003_threat_geo';

export const sql = /* sql */ `
ALTER TABLE threats
  ADD COLUMN IF NOT EXISTS ip_kind      text,
  ADD COLUMN IF NOT EXISTS country      text,
  ADD COLUMN IF NOT EXISTS country_name text,
  ADD COLUMN IF NOT EXISTS city         text,
  ADD COLUMN IF NOT EXISTS latitude     float8,
  ADD COLUMN IF NOT EXISTS longitude    float8,
  ADD COLUMN IF NOT EXISTS asn          bigint,
  ADD COLUMN IF NOT EXISTS as_org       text;
CREATE INDEX IF NOT EXISTS threats_country_time_idx ON threats (country, time DESC) WHERE country IS NOT NULL;
CREATE INDEX IF NOT EXISTS threats_asn_time_idx ON threats (asn, time DESC) WHERE asn IS NOT NULL;

-- Threats on a map (Grafana geomap) and per country / network.
CREATE OR REPLACE VIEW grafana_threat_geo AS
  SELECT t.time AS "time", t.ip, t.severity, t.category, t.score, t.country, t.city,
         t.latitude, t.longitude, t.asn, t.as_org
  FROM threats t WHERE t.latitude IS NOT NULL;
`;
