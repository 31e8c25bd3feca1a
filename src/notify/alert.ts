/** A stored threat as a Notification: the flat fields templates, Slack and e-mail messages are made of. */
import { SEVERITIES, type Detection, type ThreatEvent } from '../core/index.js';
import { storedThreatOf } from '../store/index.js';
import type { Notification } from './types.js';

/** What throttling adds: alerts of the same IP and rule left out since the last notification. */
export interface Suppressed {
  count: number;
  /** Epoch ms of the first one left out. */
  since: number | null;
}

/**
 * `rule` is the detection the notification is about (routes.ts picks the one a route matched); it defaults to
 * the first of the highest severity.
 */
export function notificationOf(t: ThreatEvent, source: string, rule: Detection | undefined = primaryDetection(t), suppressed: Suppressed = { count: 0, since: null }): Notification {
  // The store's own cleaning (NUL bytes, bounds), so a notification says what GET /api/threats says.
  const s = storedThreatOf(t);
  const d = s.detections.find((x) => x.ruleId === rule?.ruleId) ?? s.detections[0];
  return {
    id: s.id,
    time: new Date(s.time).toISOString(),
    ip: s.ip,
    host: s.host,
    method: s.method,
    path: s.path,
    query: s.query,
    status: s.status,
    user_agent: s.userAgent,
    referer: s.referer,
    severity: s.severity,
    category: s.category,
    score: Math.round(s.score * 1000) / 1000,
    rule: d?.ruleId ?? '',
    rules: [...new Set(s.detections.filter((x) => x.simulated !== true).map((x) => x.ruleId))],
    field: d?.field ?? '',
    fragment: d?.fragment ?? '',
    country: s.geo?.country ?? null,
    asn: s.geo?.asn ?? null,
    as_org: s.geo?.asOrg ?? null,
    source: source.slice(0, 500),
    suppressed: suppressed.count,
    suppressed_since: suppressed.since === null ? null : new Date(suppressed.since).toISOString(),
  };
}

/** The first non-simulated detection of the highest severity. */
export function primaryDetection(t: Pick<ThreatEvent, 'detections'>): Detection | undefined {
  let best: Detection | undefined;
  for (const d of t.detections) {
    if (d.simulated === true) continue;
    if (!best || SEVERITIES.indexOf(d.severity) > SEVERITIES.indexOf(best.severity)) best = d;
  }
  return best;
}
