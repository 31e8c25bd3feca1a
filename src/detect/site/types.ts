/**
 * Site knowledge: what a site (a Host; one default site when the log has none) really serves, learned from its own
 * traffic, so that sensitive-name rules (source code, logs, backups, app configs) stop calling the site's own content
 * a probe.
 *
 * Obligations:
 * - Pure and synchronous: no I/O, no clock. Time is each event's `time`; verdicts of the bot DNS verifier
 *   (src/enrich/bot-dns) arrive as data through BotVerdictLookup.
 * - Bounded whatever the input: sites, paths per site, clients per path, referer hosts, held hits (caps with
 *   eviction). A path evicted loses its evidence and is learned again.
 * - A miss is never content: only 2xx (and 304) answers count as served; a 404 on a probe path stays a probe.
 * - Leak-class names (.env, VCS metadata, credentials) are never content: answered with a body they are a leak.
 */
import type { HttpEvent } from '../../core/index.js';

export interface SiteKnowledgeOptions {
  /** Distinct clients served with consistent sizes that make a path content on their own (default 5). */
  minClients?: number;
  /** Distinct clients enough when the path is also linked from the site's own pages or fetched by a verified bot (2). */
  minClientsWithReference?: number;
  /**
   * How long (event time) a hit on a served, not-yet-known path is held back before it is reported as a probe
   * (default 30 min). `Infinity` holds until `releaseHeld()`, which is what `analyze` does over a whole log.
   */
  holdMs?: number;
  /** Most hits held back at once; the oldest is judged and released beyond it (default 10,000). */
  maxHeld?: number;
  /** Sites tracked (default 256) and paths per site (default 4,096), least recently used evicted. */
  maxSites?: number;
  maxPathsPerSite?: number;
}

export interface ResolvedSiteOptions {
  minClients: number;
  minClientsWithReference: number;
  holdMs: number;
  maxHeld: number;
  maxSites: number;
  maxPathsPerSite: number;
}

export function resolveSiteOptions(o: SiteKnowledgeOptions = {}): ResolvedSiteOptions {
  return {
    minClients: o.minClients ?? 5,
    minClientsWithReference: o.minClientsWithReference ?? 2,
    holdMs: o.holdMs ?? 30 * 60_000,
    maxHeld: o.maxHeld ?? 10_000,
    maxSites: o.maxSites ?? 256,
    maxPathsPerSite: o.maxPathsPerSite ?? 4096,
  };
}

/** What the knowledge says about one path of one site, with the reason in words (shown by explain). */
export interface ContentVerdict {
  known: boolean;
  reason: string;
}

/** One observation, as the knowledge sees it: what the request was and how the site answered. */
export type SiteObservation = Pick<HttpEvent, 'ip' | 'host' | 'path' | 'status' | 'bytes' | 'referer' | 'time'>;
