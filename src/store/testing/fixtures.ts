/** Events and threats for store tests and benchmarks: valid defaults, override what the test is about. */
import type { Category, Detection, Severity, ThreatEvent, ThreatGeo, HttpEvent } from '../../core/index.js';
import type { IpWindow } from '../../detect/index.js';

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function makeEvent(id: string, over: Partial<HttpEvent> = {}): HttpEvent {
  return {
    id,
    time: T0,
    ip: '203.0.113.7',
    peerIp: null,
    method: 'GET',
    host: 'example.com',
    path: '/index.html',
    query: '',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 512,
    referer: null,
    userAgent: 'Mozilla/5.0',
    requestTime: 0.012,
    ja4: null,
    ja4h: null,
    headers: null,
    origin: { kind: 'file', source: '/var/log/nginx/access.log', offset: 0, line: 1 },
    ...over,
  };
}

export function makeDetection(over: Partial<Detection> = {}): Detection {
  return {
    ruleId: 'sqli-union-select',
    category: 'sqli',
    severity: 'high',
    confidence: 0.9,
    field: 'query',
    fragment: 'union select',
    ...over,
  };
}

export function makeThreat(
  event: HttpEvent,
  over: { severity?: Severity; category?: Category; score?: number; detections?: Detection[]; geo?: ThreatGeo } = {},
): ThreatEvent {
  const severity = over.severity ?? 'high';
  const category = over.category ?? 'sqli';
  return {
    event,
    severity,
    category,
    score: over.score ?? 0.8,
    detections: over.detections ?? [makeDetection({ severity, category })],
    ...(over.geo ? { geo: over.geo } : {}),
  };
}

/** A closed IP window with exactly representable features (they are stored as float4). */
export function makeWindow(ip: string, start: number, over: Partial<IpWindow> = {}): IpWindow {
  return {
    ip,
    start,
    end: start + 60_000,
    hits: 10,
    velocity: 0.125,
    ratio4xx: 0.5,
    ratio404: 0.25,
    ratioPost: 0,
    ratioStatic: 0.75,
    ratioDirect: 1,
    pathDiversity: 0.5,
    distinctPaths: 5,
    temporalEntropy: 0.375,
    distinctUserAgents: 1,
    distinctJa4s: 0,
    meanHeaderCount: null,
    knownBot: null,
    scenarios: [],
    threatLevel: 'LOW',
    ...over,
  };
}
