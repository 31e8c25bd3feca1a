/**
 * Notifications that failed after their last attempt (#15): kept so an operator can see why and send them
 * again (GET /api/notifications/dead-letters, POST …/:id/retry). The notification itself is stored (its flat
 * fields as JSON), not the rendered body: a retry renders and signs it afresh with the channel's current
 * configuration. Bounded by the repository (the newest 10,000 rows are kept).
 */
export const id = '0015_notification_dead_letters';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS notification_dead_letters (
  id            bigserial PRIMARY KEY,
  channel       text NOT NULL,
  threat_id     text NOT NULL,
  notification  jsonb NOT NULL,
  error         text NOT NULL,
  attempts      integer NOT NULL,
  failed_at     timestamptz NOT NULL,
  retried_at    timestamptz
);
CREATE INDEX IF NOT EXISTS notification_dead_letters_channel ON notification_dead_letters (channel, id);
`;
