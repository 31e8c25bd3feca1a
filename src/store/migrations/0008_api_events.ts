/**
 * What the ingest API receives beside the request itself (issue #11): the sensor's own event id, the destination
 * address and its tags. One row per stored event of origin `api`, keyed by the event id, which for an event with
 * a client `event_id` is derived from it (src/ingest/sensor/event.ts): a retry meets the primary keys of
 * `requests`, `threats` and this table and writes nothing twice. The verdict itself (threat type, severity,
 * confidence, description) is a detection in `threat_hits` (rule `api/<threat_type>`). Pruned with requests.
 */
export const id = '0008_api_events';

export const sql = /* sql */ `
CREATE TABLE api_events (
  id             text PRIMARY KEY,
  time           timestamptz NOT NULL,
  event_id       text,
  destination_ip text,
  tags           text[] NOT NULL DEFAULT '{}',
  received_at    timestamptz NOT NULL
);
-- As for requests: rows arrive roughly in time order, and the only scan is the retention's delete.
CREATE INDEX api_events_time_brin ON api_events USING brin (time);
`;
