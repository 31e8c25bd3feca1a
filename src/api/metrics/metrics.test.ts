import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { PipelineMetrics } from '../../pipeline/index.js';
import { openStore, type Store } from '../../store/index.js';
import { createApi } from '../app.js';
import { OPEN_ACCESS_FOR_TESTS } from '../auth/access-control.js';
import { event, NOW, threat } from '../testing/fixtures.js';
import { ApiMetrics, listenMetrics, parseListenAddress, type MetricsListener, type ProviderMetrics } from './index.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text exposition format, enough of it to check names, labels and values (no escapes in our labels). */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

let store: Store;
let pipeline: PipelineMetrics;
let app: FastifyInstance;
let metrics: ApiMetrics;
const scopes = new Map<string, unknown>();
let cache = { hits: 0, misses: 0 };
const ws = { clients: 3, sent: 40, dropped: 1 };
let providers: ProviderMetrics[] = [];

beforeAll(async () => {
  store = await openStore({ databaseUrl: 'memory://' });
  pipeline = new PipelineMetrics(() => NOW);
  metrics = new ApiMetrics({
    pipeline,
    enrichment: async () => providers,
    caches: { enrichment: () => cache },
    websocket: () => ws,
    redis: () => ({ up: true, latencyMs: 0.5, outages: 2 }),
  });
  app = createApi({
    // Access control has its own tests (src/api/auth); these are about the routes.
    access: OPEN_ACCESS_FOR_TESTS,
    store, pipeline, metrics, readiness: async () => ({ checks: {} }), logger: pino({ level: 'silent' }), version: 't', clock: () => NOW });
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url) scopes.set(request.routeOptions.url, request.routeOptions.config.scope);
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
});

async function scrape(): Promise<{ samples: Sample[]; types: Map<string, string>; contentType: string }> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return { ...parse(res.body), contentType: String(res.headers['content-type']) };
}

describe('GET /metrics', () => {
  it('declares the metrics scope and answers the Prometheus text format', async () => {
    const { types, contentType } = await scrape();
    expect(scopes.get('/metrics')).toBe('metrics');
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(types.get('rampart_http_requests_total')).toBe('counter');
    expect(types.get('rampart_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('rampart_store_write_duration_seconds')).toBe('histogram');
    expect(types.get('rampart_ingest_lag_seconds')).toBe('gauge');
    // Default process metrics, from this app's own registry.
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('counts requests by route pattern and status, never by raw URL, and times them', async () => {
    const before = (await scrape()).samples;
    const route = { method: 'GET', route: '/api/threats/:id', status_code: '404' };
    const had = value(before, 'rampart_http_requests_total', route) ?? 0;
    for (const id of ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']) expect((await app.inject({ method: 'GET', url: `/api/threats/${id}` })).statusCode).toBe(404);
    await app.inject({ method: 'GET', url: '/no/such/path-xyz' });
    const { samples } = await scrape();
    expect(value(samples, 'rampart_http_requests_total', route)).toBe(had + 2);
    expect(value(samples, 'rampart_http_request_duration_seconds_count', route)).toBe(had + 2);
    expect(value(samples, 'rampart_http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(had + 2);
    expect(value(samples, 'rampart_http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
    expect(samples.some((s) => Object.values(s.labels).some((v) => v.includes('aaaa') || v.includes('path-xyz')))).toBe(false);
    // The previous scrape counts too: /metrics itself is a route.
    expect(value(samples, 'rampart_http_requests_total', { route: '/metrics', status_code: '200' })).toBeGreaterThanOrEqual(2);
  });

  it('reads the pipeline counters at scrape time: lines per source, stored events, lag, queues', async () => {
    const c = pipeline.source('/var/log/nginx/access.log');
    c.read = 120;
    c.parsed = 118;
    c.unparsed = 2;
    c.stored = 118;
    c.newestEventTime = NOW - 4_000;
    pipeline.stages.store.errors = 1;
    pipeline.storePending = 2;
    pipeline.addSink('live-bus', () => ({ delivered: 5, failed: 0, dropped: 1, queued: 7 }));
    const { samples } = await scrape();
    const source = { source: '/var/log/nginx/access.log' };
    expect(value(samples, 'rampart_lines_read_total', source)).toBe(120);
    expect(value(samples, 'rampart_lines_parsed_total', source)).toBe(118);
    expect(value(samples, 'rampart_lines_unparsed_total', source)).toBe(2);
    expect(value(samples, 'rampart_events_stored_total', source)).toBe(118);
    expect(value(samples, 'rampart_ingest_lag_seconds', source)).toBe(4);
    expect(value(samples, 'rampart_stage_errors_total', { stage: 'store' })).toBe(1);
    expect(value(samples, 'rampart_store_queue_depth')).toBe(2);
    expect(value(samples, 'rampart_store_up')).toBe(1);
    expect(value(samples, 'rampart_sink_queue_depth', { sink: 'live-bus' })).toBe(7);
    expect(value(samples, 'rampart_sink_batches_total', { sink: 'live-bus', outcome: 'dropped' })).toBe(1);
    c.read = 130;
    expect(value((await scrape()).samples, 'rampart_lines_read_total', source)).toBe(130);
  });

  it('counts detections by category and rule pack, and store writes in the latency histogram', async () => {
    const e = event({ ago: 1000 });
    pipeline.countDetections([
      threat(e, 'sqli', 'high', 0.9, [{ ruleId: 'sqli-union-select' }, { ruleId: 'sqli-tautology' }, { ruleId: 'sqli-sleep', simulated: true }]),
      threat(e, 'scanner', 'medium', 0.5, [{ ruleId: 'behaviour/http-probing', category: 'scanner' }]),
    ]);
    pipeline.onStoreWrite?.(12);
    pipeline.onStoreWrite?.(3000);
    const { samples } = await scrape();
    expect(value(samples, 'rampart_detections_total', { category: 'sqli', pack: 'sqli' })).toBe(2);
    expect(value(samples, 'rampart_detections_total', { category: 'scanner', pack: 'behaviour' })).toBe(1);
    expect(value(samples, 'rampart_store_write_duration_seconds_count')).toBe(2);
    expect(value(samples, 'rampart_store_write_duration_seconds_bucket', { le: '0.025' })).toBe(1);
    expect(value(samples, 'rampart_store_write_duration_seconds_sum')).toBeCloseTo(3.012);
  });

  it('reads enrichment providers, caches, live clients and Redis from their providers', async () => {
    providers = [
      { name: 'abuseipdb', configured: true, breaker: 'open', counters: { calls: 7, ok: 4, error: 3, skipped: 0, cached: 9 } },
      { name: 'otx', configured: false, breaker: 'closed', counters: { calls: 0, ok: 0, error: 0, skipped: 5, cached: 0 } },
    ];
    cache = { hits: 3, misses: 1 };
    const { samples } = await scrape();
    expect(value(samples, 'rampart_enrichment_provider_calls_total', { provider: 'abuseipdb', outcome: 'error' })).toBe(3);
    expect(value(samples, 'rampart_enrichment_provider_calls_total', { provider: 'abuseipdb', outcome: 'cached' })).toBe(9);
    expect(value(samples, 'rampart_enrichment_breaker_state', { provider: 'abuseipdb', state: 'open' })).toBe(1);
    expect(value(samples, 'rampart_enrichment_breaker_state', { provider: 'abuseipdb', state: 'closed' })).toBe(0);
    // A provider without a key has no breaker to show.
    expect(value(samples, 'rampart_enrichment_breaker_state', { provider: 'otx' })).toBeUndefined();
    expect(value(samples, 'rampart_cache_hit_ratio', { cache: 'enrichment' })).toBe(0.75);
    expect(value(samples, 'rampart_cache_hits_total', { cache: 'enrichment' })).toBe(3);
    expect(value(samples, 'rampart_websocket_clients')).toBe(3);
    expect(value(samples, 'rampart_websocket_dropped_total')).toBe(1);
    expect(value(samples, 'rampart_redis_up')).toBe(1);
    expect(value(samples, 'rampart_redis_outages_total')).toBe(2);
  });

  it('keeps answering when the enrichment status fails (its series are left out)', async () => {
    const failing = new ApiMetrics({ pipeline: new PipelineMetrics(), enrichment: () => Promise.reject(new Error('redis down')), processMetrics: false });
    const { samples } = parse(await failing.render());
    expect(samples.some((s) => s.name === 'rampart_enrichment_provider_calls_total')).toBe(false);
    expect(value(samples, 'rampart_store_up')).toBe(1);
  });

  it('two apps in one process keep separate registries', async () => {
    const a = new ApiMetrics({ pipeline: new PipelineMetrics(), processMetrics: false });
    const b = new ApiMetrics({ pipeline: new PipelineMetrics(), processMetrics: false });
    a.observeHttp('GET', '/x', 200, 0.001);
    a.observeHttp('GET', '/x', 200, 0.003);
    a.observeHttp('GET', '/x', 200, 60);
    const { samples, types } = parse(await a.render());
    expect(types.get('rampart_http_request_duration_seconds')).toBe('histogram');
    expect(value(samples, 'rampart_http_requests_total', { route: '/x' })).toBe(3);
    // Cumulative buckets, a value on a bound counted in it (le), the slowest only in +Inf.
    const bucket = (le: string) => value(samples, 'rampart_http_request_duration_seconds_bucket', { route: '/x', le });
    expect([bucket('0.001'), bucket('0.0025'), bucket('0.005'), bucket('10'), bucket('+Inf')]).toEqual([1, 1, 2, 2, 3]);
    expect(value(samples, 'rampart_http_request_duration_seconds_sum', { route: '/x' })).toBeCloseTo(60.004);
    expect(value(parse(await b.render()).samples, 'rampart_http_requests_total', { route: '/x' })).toBeUndefined();
  });
});

describe('GET /health/redis without Redis configured', () => {
  it('declares the read scope and says Redis is not configured', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/redis' });
    expect(scopes.get('/health/redis')).toBe('read');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ configured: false, reachable: false, used_by: [] });
  });
});

describe('the separate metrics listener (server.metricsListen)', () => {
  let listener: MetricsListener;
  beforeAll(async () => {
    listener = await listenMetrics(metrics, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await listener.close();
  });
  const at = (path: string) => `http://127.0.0.1:${listener.port}${path}`;

  it('serves the same registry at /metrics without a key', async () => {
    const res = await fetch(at('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples } = parse(await res.text());
    expect(value(samples, 'rampart_lines_read_total', { source: '/var/log/nginx/access.log' })).toBe(130);
  });

  it('serves nothing else', async () => {
    const other = await fetch(at('/api/threats'));
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: 'not_found' });
    const post = await fetch(at('/metrics'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses Host names that are not loopback, an address or allowed (DNS rebinding), as the API port does', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: listener.port, path: '/metrics', headers: { host: 'evil.example:9464' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('names the setting when the address is taken', async () => {
    await expect(listenMetrics(metrics, { host: '127.0.0.1', port: listener.port })).rejects.toThrow(/server\.metricsListen/);
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['metrics.internal:0', { host: 'metrics.internal', port: 0 }],
  ])('%s', (input, expected) => {
    expect(parseListenAddress(input)).toEqual(expected);
  });

  it.each(['9464', '127.0.0.1', '127.0.0.1:99999', '::1:9464', 'a b:1', ''])('refuses %j naming the setting', (input) => {
    expect(() => parseListenAddress(input)).toThrow(/server\.metricsListen/);
  });
});
