/**
 * End to end: the ingest API through `rampart serve` as a real process (the ingest worker detects, the main thread
 * stores): events posted are in /api/threats and /api/stats as soon as the answer comes, beside the log's, and a
 * retried event_id is stored once, also after a restart. On embedded PGlite and, when reachable, PostgreSQL.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, probePostgres } from '../../src/store/testing/postgres.js';
import { attackLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const pgUrl = await probePostgres('ingest API end to end');

interface Backend {
  name: string;
  fresh(): Promise<{ args: string[]; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'pglite',
    fresh: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-ingest-data-'));
      return { args: ['--data-dir', dir], cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];
if (pgUrl) {
  backends.push({
    name: 'postgres',
    fresh: async () => {
      const schema = await createTestSchema(pgUrl, 'rampart_e2e_ingest');
      const url = new URL(pgUrl);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      return { args: ['--database-url', url.toString()], cleanup: () => schema.drop() };
    },
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(p: ServeProcess, path: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: Json }> {
  const res = await fetch(p.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-api-key': p.apiKey },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe.each(backends)('ingest API end to end on $name', { timeout: 180_000 }, (backend) => {
  let dir: string;
  let store: { args: string[]; cleanup: () => Promise<void> };
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-ingest-'));
    store = await backend.fresh();
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await store?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(log: string): Promise<ServeProcess> {
    const p = await startServe(['--no-demo', '--log', log, ...store.args]);
    running.push(p);
    await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 30_000);
    return p;
  }

  it('stores posted events before answering, beside the log events, and a retried event_id once across a restart', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(log, '');
    let p = await start(log);
    appendFileSync(log, attackLine(1, '192.0.2.200') + '\n');
    await waitFor('the log attack', async () => ((await p.get('/api/threats?ip=192.0.2.200')).body.total === 1 ? true : undefined), 10_000, 50);

    const one = await post(p, '/api/threats/ingest', {
      source_ip: '203.0.113.201',
      threat_type: 'sql_injection',
      severity: 8,
      path: "/login?user=admin'--",
      user_agent: 'sqlmap/1.7',
      event_id: 'e2e-1',
    });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ flagged: true, category: 'sqli' });
    // No wait: stored before the answer.
    const listed = (await p.get('/api/threats?ip=203.0.113.201')).body;
    expect(listed.total).toBe(1);
    expect(listed.items[0].id).toBe(one.body.id);
    expect(listed.items[0].detections[0].rule_id).toBe('api/sql_injection');

    const ndjson = Array.from({ length: 500 }, (_, i) => JSON.stringify({ source_ip: '203.0.113.202', threat_type: 'scan', severity: 3, path: `/probe/${i}`, event_id: `e2e-bulk-${i}` })).join('\n');
    const many = await post(p, '/api/threats/bulk-ingest', ndjson + '\n{"source_ip": "nope"}\n', 'application/x-ndjson');
    expect(many.status).toBe(200);
    expect(many.body).toMatchObject({ accepted: 500, rejected: 1 });
    expect(many.body.errors).toEqual([{ index: 500, field: 'source_ip', problem: 'is not an IPv4 or IPv6 address' }]);
    expect((await p.get('/api/threats?ip=203.0.113.202&limit=1')).body.total).toBe(500);
    const stats = (await p.get('/api/stats?range=1h')).body;
    expect(stats.total_requests).toBe(502);
    expect(stats.top_source_ips[0]).toEqual({ ip: '203.0.113.202', count: 500 });
    const metrics = (await p.get('/api/metrics/pipeline')).body;
    expect(metrics.sources['ingest-api']).toMatchObject({ stored: 501, threats: 501 });
    // Offered to the live bus like the log's threats: the log batch, then the two API batches.
    await waitFor('the live bus to take the API batches', async () => {
      const bus = (await p.get('/api/metrics/pipeline')).body.sinks['live-bus'];
      return bus && bus.delivered >= 3 ? true : undefined;
    }, 5_000, 50);

    await p.stop();
    p = await start(log);
    const retried = await post(p, '/api/threats/ingest', { source_ip: '203.0.113.201', threat_type: 'sql_injection', event_id: 'e2e-1' });
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(one.body.id);
    expect((await p.get('/api/threats?ip=203.0.113.201')).body.total).toBe(1);
    expect((await p.get('/api/stats?range=1h')).body.total_requests).toBe(502);

    const bad = await post(p, '/api/threats/ingest', { source_ip: '203.0.113.201', severity: 'DROP TABLE threats' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('"severity"');
    await p.stop();
  });
});
