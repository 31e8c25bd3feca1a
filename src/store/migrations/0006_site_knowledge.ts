/**
 * What each site serves (src/detect/site), so a restart does not forget which files are the site's own content.
 * One row per site: its bounded knowledge as JSON text (text, not jsonb: a logged path may hold a NUL, which jsonb
 * rejects; JSON.stringify escapes it). At most a few hundred sites of a few thousand paths each.
 */
export const id = '0006_site_knowledge';

export const sql = /* sql */ `
CREATE TABLE IF NOT EXISTS site_knowledge (
  site       text PRIMARY KEY,
  state      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
