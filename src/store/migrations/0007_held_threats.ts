/**
 * Hits site knowledge holds back (src/detect/site/held-hits.ts): a sensitive-name hit on a served path that may yet
 * turn out to be the site's content waits up to 30 minutes before it is reported. Kept here with the batch that held
 * it, and removed with the batch that judged it, so kill -9 in between does not lose it. Bounded by
 * detect.site.maxHeld (10,000 by default). The threat is JSON text (a logged path may hold a NUL, which jsonb rejects).
 */
export const id = '0007_held_threats';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS held_threats (
  id      text PRIMARY KEY,
  time    timestamptz NOT NULL,
  threat  text NOT NULL
);
CREATE INDEX IF NOT EXISTS held_threats_time_idx ON held_threats (time);
`;
