/**
 * Enrichment tables: IOCs to enrich (with priority and due time), the per-source history, the latest
 * summary per IOC, and views shaped for Grafana's PostgreSQL data source (a `time` column first).
 * Several statements: run as one simple-protocol query (PGlite exec / pg query without params).
 */
export const migration = {
  id: '0002_enrichment',
  sql: `
CREATE TABLE IF NOT EXISTS ioc (
  id            bigserial PRIMARY KEY,
  value         text NOT NULL UNIQUE CHECK (length(value) <= 2048),
  type          text NOT NULL CHECK (type IN ('ipv4','ipv6','cidr','domain','url','md5','sha1','sha256','email')),
  -- Set for ipv4/ipv6 (CIDR containment queries), with the classifier's verdict (src/net/ip-class.ts):
  -- only 'public' addresses are ever selected for enrichment.
  ip            inet,
  ip_kind       text,
  priority      smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100),
  -- Verified good bots and allow-listed sources are never sent to providers.
  known_good    boolean NOT NULL DEFAULT false,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_enriched timestamptz,
  -- NULL: never enriched (due now). Set to fetched_at + TTL, or sooner after a source error.
  next_due      timestamptz
);
CREATE INDEX IF NOT EXISTS ioc_due_idx ON ioc (priority DESC, next_due NULLS FIRST) WHERE NOT known_good;

CREATE TABLE IF NOT EXISTS enrichment (
  id          bigserial PRIMARY KEY,
  ioc_id      bigint NOT NULL REFERENCES ioc(id) ON DELETE CASCADE,
  source      text NOT NULL,
  status      text NOT NULL CHECK (status IN ('ok','error','skipped')),
  -- The source's own 0-100 score (src/enrich/risk.ts sourceScore), NULL unless status is ok.
  score       smallint,
  data        jsonb,
  error       text,
  duration_ms real NOT NULL,
  fetched_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS enrichment_ioc_time_idx ON enrichment (ioc_id, fetched_at DESC);
CREATE INDEX IF NOT EXISTS enrichment_time_idx ON enrichment (fetched_at, source);

CREATE TABLE IF NOT EXISTS ioc_summary (
  ioc_id        bigint PRIMARY KEY REFERENCES ioc(id) ON DELETE CASCADE,
  risk_score    smallint NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
  risk_level    text NOT NULL CHECK (risk_level IN ('none','low','medium','high','critical')),
  categories    text[] NOT NULL DEFAULT '{}',
  geo           jsonb,
  -- Flattened from geo for map and table panels.
  country       text,
  asn           bigint,
  sources_ok    smallint NOT NULL DEFAULT 0,
  sources_error smallint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ioc_summary_score_idx ON ioc_summary (risk_score DESC, updated_at DESC);
CREATE INDEX IF NOT EXISTS ioc_summary_updated_idx ON ioc_summary (updated_at DESC);

CREATE OR REPLACE VIEW grafana_ioc_latest AS
  SELECT s.updated_at AS "time", i.type, i.value, s.risk_score, s.risk_level,
         array_to_string(s.categories, ', ') AS categories, s.country, s.asn,
         (s.geo->'location'->>'lat')::float8 AS latitude, (s.geo->'location'->>'lon')::float8 AS longitude,
         s.sources_ok, s.sources_error
  FROM ioc_summary s JOIN ioc i ON i.id = s.ioc_id;

CREATE OR REPLACE VIEW grafana_source_score_trend AS
  SELECT date_trunc('minute', e.fetched_at) AS "time", e.source,
         avg(e.score)::float8 AS avg_score, max(e.score) AS max_score, count(*) AS lookups
  FROM enrichment e
  WHERE e.status = 'ok'
  GROUP BY 1, 2;

CREATE OR REPLACE VIEW grafana_source_errors AS
  SELECT date_trunc('minute', e.fetched_at) AS "time", e.source,
         count(*) FILTER (WHERE e.status = 'error') AS errors,
         count(*) FILTER (WHERE e.status = 'skipped') AS skipped,
         count(*) AS total
  FROM enrichment e
  GROUP BY 1, 2;
`,
};
