/**
 * Which channels an alert goes to: each route is a filter (minimum severity, categories, rule ids and hosts
 * with `*` wildcards) and a list of channels. Pure: the sink (notifier.ts) calls it per threat.
 */
import { isSimulatedOnly, SEVERITIES, type Detection, type ThreatEvent } from '../core/index.js';
import type { RouteConfig } from './config.js';
import { wildcardMatch } from './wildcard.js';

export interface RouteMatch {
  channel: string;
  /** The detection the route matched (its rule keys the throttle). */
  detection: Detection;
}

/** Every channel some route sends this threat to, once each, with the detection the first such route matched. */
export function matchRoutes(routes: readonly RouteConfig[], t: ThreatEvent): RouteMatch[] {
  if (t.score <= 0 || isSimulatedOnly(t)) return [];
  const out = new Map<string, RouteMatch>();
  for (const r of routes) {
    const detection = routeDetection(r, t);
    if (!detection) continue;
    for (const channel of r.channels) if (!out.has(channel)) out.set(channel, { channel, detection });
  }
  return [...out.values()];
}

/** The detection that makes the route match, or undefined: the first of the highest severity among those that pass. */
export function routeDetection(r: RouteConfig, t: ThreatEvent): Detection | undefined {
  if (SEVERITIES.indexOf(t.severity) < SEVERITIES.indexOf(r.minSeverity)) return undefined;
  if (r.categories.length > 0 && !r.categories.includes(t.category)) return undefined;
  if (r.hosts.length > 0 && !r.hosts.some((h) => t.event.host !== null && wildcardMatch(h, t.event.host))) return undefined;
  let best: Detection | undefined;
  for (const d of t.detections) {
    if (d.simulated === true) continue;
    if (r.rules.length > 0 && !r.rules.some((p) => wildcardMatch(p, d.ruleId))) continue;
    if (!best || SEVERITIES.indexOf(d.severity) > SEVERITIES.indexOf(best.severity)) best = d;
  }
  return best;
}

/** Routes in effect: the configured ones, or every channel for alerts of severity high and above. */
export function effectiveRoutes(routes: readonly RouteConfig[], channels: readonly string[]): RouteConfig[] {
  if (routes.length > 0) return [...routes];
  return [{ channels: [...channels], minSeverity: 'high', categories: [], rules: [], hosts: [] }];
}
