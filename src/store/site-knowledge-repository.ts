/**
 * Site knowledge (src/detect/site) across restarts: one row per site holding its snapshot as JSON text. Loaded once
 * at start, saved now and then and at shutdown; values go in as parameters, and what comes back is validated again
 * by SiteKnowledge.restore (a row that does not parse is skipped).
 */
import type { SiteSnapshot } from '../detect/index.js';
import type { SqlClient } from './types.js';

const UPSERT = `
INSERT INTO site_knowledge (site, state, updated_at)
SELECT site, state, now() FROM unnest($1::text[], $2::text[]) AS u(site, state)
ON CONFLICT (site) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`;

export class SiteKnowledgeRepository {
  constructor(private readonly sql: SqlClient) {}

  async load(): Promise<SiteSnapshot[]> {
    const { rows } = await this.sql.query<{ site: string; state: string }>('SELECT site, state FROM site_knowledge ORDER BY updated_at, site');
    const out: SiteSnapshot[] = [];
    for (const r of rows) {
      try {
        out.push({ site: r.site, state: JSON.parse(r.state) as SiteSnapshot['state'] });
      } catch {
        // A row that is not JSON is skipped: the site is learned again from its traffic.
      }
    }
    return out;
  }

  async save(snapshots: readonly SiteSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    await this.sql.query(UPSERT, [snapshots.map((s) => s.site), snapshots.map((s) => JSON.stringify(s.state))]);
  }
}
