/** Synthetic events for behaviour tests and the bench: every event carries its own time. */
import type { HttpEvent } from '../../../core/index.js';

export const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
export const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
export const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let seq = 0;

export function ev(p: Partial<HttpEvent> & { time: number }): HttpEvent {
  seq++;
  return {
    id: `t${seq}`,
    ip: '203.0.113.7',
    peerIp: null,
    method: 'GET',
    host: 'shop.example',
    path: '/',
    query: '',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 5_000,
    referer: null,
    userAgent: CHROME,
    requestTime: null,
    ja4: null,
    ja4h: null,
    headers: null,
    origin: { kind: 'api', source: 'test', receivedAt: p.time },
    ...p,
  };
}

/** `n` events, `stepMs` apart from `start`, built by `make(i, time)`. */
export function series(
  n: number,
  start: number,
  stepMs: number,
  make: (i: number, time: number) => Partial<HttpEvent>,
) {
  const out: HttpEvent[] = [];
  for (let i = 0; i < n; i++) {
    const time = start + Math.floor(i * stepMs);
    out.push(ev({ ...make(i, time), time }));
  }
  return out;
}

/** A browser loading a page and its `assets` sub-resources within a second, with the page as referer. */
export function pageVisit(
  ip: string,
  time: number,
  page: string,
  assets: readonly string[],
  host = 'shop.example',
) {
  const referer = `https://${host}${page}`;
  return [
    ev({ ip, time, path: page, host, bytes: 30_000 }),
    ...assets.map((path, i) => ev({ ip, time: time + 50 + i * 10, path, host, referer, bytes: 4_000 })),
  ];
}

export function ruleIds(detections: readonly (readonly { ruleId: string }[])[]): string[] {
  return detections.flat().map((d) => d.ruleId);
}
