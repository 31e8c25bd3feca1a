/**
 * The `detect.site` config section: site knowledge's thresholds and bounds (src/detect/site/types.ts says what each
 * one does). Defaults are the values the knowledge was measured with (docs/detection.md); the bounds keep a typo
 * from turning it off or from letting its memory grow without limit.
 */
import * as z from 'zod';
import { MAX_CLIENTS } from './path-evidence.js';
import type { ResolvedSiteOptions } from './types.js';

const int = (min: number, max: number, def: number, what: string) =>
  z.number().int().min(min).max(max).default(def).describe(what);

export const siteConfigSchema = z
  .object({
    /** Distinct clients served with consistent sizes that make a path the site's content on their own. */
    minClients: int(1, MAX_CLIENTS, 5, 'distinct clients served that make a path content'),
    /** Distinct clients enough when the path is also linked from the site's own pages or fetched by a verified bot. */
    minClientsWithReference: int(1, MAX_CLIENTS, 2, 'distinct clients enough with an own-page referer or a verified bot'),
    /** Minutes of event time a hit on a served, not-yet-known path is held back before it is reported (0: never held). */
    holdMinutes: int(0, 24 * 60, 30, 'minutes a possibly-content hit is held back'),
    /** Most hits held back at once; beyond it the oldest is judged and released. */
    maxHeld: int(0, 1_000_000, 10_000, 'most hits held back at once'),
    /** Sites (Host names) tracked, least recently created evicted. */
    maxSites: int(1, 65_536, 256, 'sites tracked'),
    /** Paths learned per site, least recently used evicted (then learned again). */
    maxPathsPerSite: int(16, 1_000_000, 4096, 'paths learned per site'),
  })
  .strict();

export type SiteConfig = z.infer<typeof siteConfigSchema>;

/** The knowledge's options from its config section. */
export function siteOptionsFromConfig(c: SiteConfig): ResolvedSiteOptions {
  return {
    minClients: c.minClients,
    minClientsWithReference: c.minClientsWithReference,
    holdMs: c.holdMinutes * 60_000,
    maxHeld: c.maxHeld,
    maxSites: c.maxSites,
    maxPathsPerSite: c.maxPathsPerSite,
  };
}
