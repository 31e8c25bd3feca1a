/** Notifications and threats for notify tests. */
import type { Detection, ThreatEvent } from '../../core/index.js';
import { makeDetection, makeEvent, makeThreat } from '../../store/testing/fixtures.js';
import { sampleNotification } from '../sample.js';
import type { Notification } from '../types.js';

export const NOW = Date.UTC(2026, 11, 7, 23, 0, 0);

export function notification(over: Partial<Notification> = {}): Notification {
  return { ...sampleNotification(NOW), id: 'ev-1', ...over };
}

export function threat(
  over: { id?: string; ip?: string; host?: string | null; severity?: ThreatEvent['severity']; category?: ThreatEvent['category']; detections?: Detection[]; score?: number } = {},
): ThreatEvent {
  const severity = over.severity ?? 'high';
  const category = over.category ?? 'sqli';
  return makeThreat(makeEvent(over.id ?? 'ev-1', { ip: over.ip ?? '203.0.113.7', host: over.host === undefined ? 'www.example.com' : over.host }), {
    severity,
    category,
    score: over.score ?? 0.9,
    detections: over.detections ?? [makeDetection({ severity, category })],
  });
}
