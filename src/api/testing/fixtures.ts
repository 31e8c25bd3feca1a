/**
 * Test support for the API: a real in-memory PGlite store filled through `store.write`, the real pipeline
 * counters, and builders for events and threats. Excluded from the build (src/**\/testing/**).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Category, Detection, Severity, ThreatEvent, HttpEvent } from '../../core/index.js';
import { PipelineMetrics } from '../../pipeline/index.js';
import { openStore, type Store, type WriteBatch } from '../../store/index.js';
import type { IpWindow } from '../../detect/index.js';
import { createApi } from '../app.js';
import { OPEN_ACCESS_FOR_TESTS, type AccessOptions } from '../auth/access-control.js';
import type { ApiDeps, ReadinessReport } from '../types.js';
import { makeEvent, makeWindow } from '../../store/testing/fixtures.js';
import { eventId } from '../../ingest/index.js';

/** Every test reads time from this clock, so relative filters and stats windows are exact. */
export const NOW = Date.parse('2025-03-10T12:00:00.000Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

let offset = 0;

export function event(over: Partial<HttpEvent> & { ago: number }): HttpEvent {
  const { ago, ...rest } = over;
  offset += 100;
  // Stored threat ids are event ids: 16 hex characters, as the pipeline makes them.
  return makeEvent(eventId(`evt-${offset}`), {
    time: NOW - ago,
    ip: '192.0.2.10',
    host: 'shop.example',
    path: '/',
    requestTime: 0.01,
    origin: { kind: 'file', source: '/var/log/nginx/access.log', offset, line: offset / 100 },
    ...rest,
  });
}

export function threat(
  ev: HttpEvent,
  category: Category,
  severity: Severity,
  score: number,
  detections: Partial<Detection>[] = [{}],
): ThreatEvent {
  return {
    event: ev,
    score,
    severity,
    category,
    detections: detections.map((d) => ({
      ruleId: `${category}-test`,
      category,
      severity,
      confidence: 0.9,
      field: 'path',
      fragment: ev.path,
      ...d,
    })),
  };
}

/**
 * The shared data set: six threats over three days and three clean requests.
 * Paths hold a literal `%` (percent-encoded, as logged) and `_`, which a LIKE pattern would treat as wildcards.
 */
export function dataset() {
  const sqli = event({
    ago: 5 * MIN,
    ip: '203.0.113.7',
    path: '/products.php',
    query: "id=1'+UNION+SELECT+password+FROM+users--",
  });
  const traversal = event({
    ago: 30 * MIN,
    ip: '203.0.113.7',
    path: '/static/..%2F..%2Fetc/passwd',
    status: 404,
  });
  const xss = event({ ago: 2 * HOUR, ip: '198.51.100.23', path: '/search%3Cscript%3E', status: 200 });
  const brute = event({
    ago: 3 * DAY,
    ip: '2001:db8::5',
    method: 'POST',
    path: '/wp-login.php',
    status: 401,
  });
  const scanUnderscore = event({ ago: 10 * MIN, ip: '198.51.100.23', path: '/a_b/.env', status: 404 });
  const scanPlain = event({ ago: 20 * MIN, ip: '198.51.100.99', path: '/axb/.env', status: 404 });
  const clean = [event({ ago: 1 * MIN }), event({ ago: 2 * MIN, path: '/cart' }), event({ ago: 50 * MIN })];
  const threats = [
    threat(sqli, 'sqli', 'high', 0.92, [
      { ruleId: 'sqli-union-select', field: 'query', fragment: 'UNION SELECT', transforms: ['urlDecode'] },
      {
        ruleId: 'sqli-comment',
        severity: 'medium',
        field: 'query',
        fragment: '--',
        detail: 'trailing comment',
      },
    ]),
    threat(traversal, 'path_traversal', 'critical', 0.97),
    threat(xss, 'xss', 'medium', 0.6),
    threat(brute, 'bruteforce', 'low', 0.4, [
      { ruleId: 'bruteforce-login', field: 'behaviour', simulated: true },
    ]),
    threat(scanUnderscore, 'sensitive_file', 'medium', 0.7),
    threat(scanPlain, 'sensitive_file', 'info', 0.2),
  ];
  const events = [sqli, traversal, xss, brute, scanUnderscore, scanPlain, ...clean];
  return { events, threats, ids: { sqli: sqli.id, traversal: traversal.id, brute: brute.id } };
}

export interface TestApi {
  app: FastifyInstance;
  store: Store;
  metrics: PipelineMetrics;
  /** Lines the API logged, parsed. */
  logs: Record<string, unknown>[];
  setReadiness(fn: () => Promise<ReadinessReport>): void;
  close(): Promise<void>;
}

/**
 * `accessFor` builds the access options from the test's store (tests of access control); without it every
 * request is admitted (OPEN_ACCESS_FOR_TESTS).
 */
export async function openTestApi(
  extra: Partial<ApiDeps> & { accessFor?: (store: Store) => AccessOptions } = {},
  withData = true,
): Promise<TestApi> {
  const { accessFor, ...deps } = extra;
  const store = await openStore({ databaseUrl: 'memory://' });
  if (withData) {
    const { events, threats } = dataset();
    await store.writer.write({ events, threats, checkpoints: [] });
  }
  const metrics = new PipelineMetrics(() => NOW);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  let readiness: () => Promise<ReadinessReport> = async () => ({ checks: { store: { ok: true } } });
  const app = createApi({
    store,
    pipeline: metrics,
    readiness: () => readiness(),
    logger: pino({ level: 'info' }, sink),
    version: '9.9.9-test',
    clock: () => NOW,
    // Route tests are not about access control (src/api/auth/*.test.ts are): everyone is admitted.
    access: accessFor ? accessFor(store) : OPEN_ACCESS_FOR_TESTS,
    ...deps,
  });
  await app.ready();
  return {
    app,
    store,
    metrics,
    logs,
    setReadiness(fn) {
      readiness = fn;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/**
 * Behaviour data for the behaviour analytics routes: browsing with assets, a crawler, a tool, JA4s, and windows of a
 * brute-forcing IP that came back (with its behaviour detections), written as the pipeline writes them.
 */
export function behaviourDataset(): WriteBatch[] {
  const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
  const ja4 = 't13d1516h2_8daaf6152771_b186095e22b6';
  const browsing = [
    event({ ago: 40 * MIN, ip: '192.0.2.20', path: '/', userAgent: chrome, ja4 }),
    event({ ago: 40 * MIN - 200, ip: '192.0.2.20', path: '/app.css', userAgent: chrome, ja4 }),
    event({ ago: 40 * MIN - 300, ip: '192.0.2.20', path: '/app.js', userAgent: chrome, ja4 }),
    event({ ago: 39 * MIN, ip: '192.0.2.20', path: '/cart', userAgent: chrome, ja4 }),
    event({ ago: 38 * MIN, ip: '192.0.2.21', path: '/', userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }),
    event({ ago: 37 * MIN, ip: '192.0.2.22', path: '/', host: 'blog.example', userAgent: 'curl/8.4.0' }),
  ];
  const bruteDetection = { ruleId: 'behaviour/bruteforce', field: 'behaviour' };
  const logins = [3 * HOUR, 3 * HOUR - 1000, 30 * MIN].map((ago) =>
    threat(event({ ago, ip: '198.51.100.66', method: 'POST', path: '/wp-login.php', status: 401, userAgent: chrome }), 'bruteforce', 'high', 0.8, [bruteDetection]),
  );
  const window = (ip: string, ago: number, over: Partial<IpWindow>): IpWindow => {
    const start = Math.floor((NOW - ago) / MIN) * MIN;
    return { ...makeWindow(ip, start), ...over };
  };
  const windows = [
    window('192.0.2.20', 40 * MIN, { hits: 4, ratio4xx: 0, threatLevel: 'LEGITIMATE_BROWSER' }),
    window('198.51.100.66', 3 * HOUR, { hits: 30, scenarios: ['bruteforce'], distinctUserAgents: 3, threatLevel: 'HIGH' }),
    window('198.51.100.66', 30 * MIN, { hits: 12, scenarios: ['bruteforce', 'recurrence', 'ua-rotation'], distinctUserAgents: 8, threatLevel: 'CRITICAL' }),
  ];
  return [
    { events: [...browsing, ...logins.slice(0, 2).map((t) => t.event)], threats: logins.slice(0, 2), checkpoints: [], windows: windows.slice(0, 2) },
    { events: [logins[2]!.event], threats: [logins[2]!], checkpoints: [], windows: windows.slice(2) },
  ];
}
