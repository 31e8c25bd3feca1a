/**
 * Live alerts end to end over a listening server: WebSocket and SSE clients, filters in the query and in
 * a subscribe message, heartbeat, resume and gap, a reader that stops (closed with 4008, the server's
 * buffer for it bounded), shutdown with clients connected.
 */
import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dataset, openTestApi, type TestApi } from '../testing/fixtures.js';
import { AlertHub, ThreatAlert, liveAlertOfThreat, type LiveHubOptions } from '../live/index.js';
import { liveAlertRoutes } from './live-alerts.js';

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let api: TestApi | undefined;
const sockets: WebSocket[] = [];
const aborts: AbortController[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) if (s.readyState !== WebSocket.CONNECTING) s.terminate();
  for (const a of aborts.splice(0)) a.abort();
  await api?.close();
  api = undefined;
});

async function serve(options: LiveHubOptions = {}) {
  const hub = new AlertHub({ hubId: 'test', heartbeatSeconds: 0, ...options });
  api = await openTestApi({ extraRoutes: [(app) => liveAlertRoutes(app, { hub })] }, false);
  // The fixture's ids come from a counter: the threats published are the ones stored.
  const { events, threats } = dataset();
  await api.store.writer.write({ events, threats, checkpoints: [] });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as { port: number };
  return { hub, base: `127.0.0.1:${port}`, threats };
}

/** A WebSocket client that keeps every message; `next(n)` waits for n more. */
async function connect(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const got: Msg[] = [];
  let wake = () => {};
  ws.on('message', (d) => {
    got.push(JSON.parse(d.toString()) as Msg);
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const until = async (n: number, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (got.length < n) {
      if (Date.now() > deadline) throw new Error(`waited for ${n} messages, got ${JSON.stringify(got)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
    return got;
  };
  return { ws, got, until, closed };
}

/** Reads an SSE stream into events ({id, data}). */
async function sse(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  aborts.push(abort);
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: { id?: string; data: Msg }[] = [];
  let buf = '';
  const done = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) events.push({ ...(id ? { id } : {}), data: JSON.parse(data) as Msg });
        }
      }
    } catch {
      // aborted
    }
  })();
  const until = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`waited for ${n} events, got ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return events;
  };
  return { res, events, until, done, abort };
}

describe('live alerts over WebSocket', () => {
  it('sends each stored threat as the /api/threats item, filtered by the query, then by a subscribe message', async () => {
    const { hub, base, threats } = await serve();
    const c = await connect(`ws://${base}/ws/alerts?min_severity=high`);
    await c.until(1);
    expect(c.got[0]).toMatchObject({ type: 'subscribed', filter: { min_severity: 'high' } });
    // Pending, as the pipeline publishes them (built when the client wants them).
    for (const t of threats) hub.publish(new ThreatAlert(t));
    const wanted = threats.filter((t) => t.severity === 'high' || t.severity === 'critical');
    expect(wanted.length).toBeGreaterThan(0);
    expect(wanted.length).toBeLessThan(threats.length);
    await c.until(1 + wanted.length);
    const alerts = c.got.slice(1);
    expect(alerts.map((m) => m.data.id)).toEqual(wanted.map((t) => t.event.id));
    // Same encoder as the REST API: the item equals GET /api/threats/:id.
    const rest = await api!.app.inject({ url: `/api/threats/${alerts[0]!.data.id}` });
    expect(alerts[0]!.data).toEqual(rest.json());
    expect(alerts[0]).toMatchObject({ type: 'threat_detected', id: expect.stringMatching(/^test-\d+$/) });

    c.ws.send(JSON.stringify({ type: 'subscribe', filter: { ip: ['198.51.100.0/24'] } }));
    await c.until(2 + wanted.length);
    expect(c.got.at(-1)).toMatchObject({ type: 'subscribed', filter: { ip: ['198.51.100.0/24'], min_severity: null } });
    for (const t of threats) hub.publish(liveAlertOfThreat(t));
    const fromNet = threats.filter((t) => t.event.ip.startsWith('198.51.100.'));
    await c.until(2 + wanted.length + fromNet.length);
    expect(c.got.slice(2 + wanted.length).map((m) => m.data.ip)).toEqual(fromNet.map((t) => t.event.ip));

    c.ws.send(JSON.stringify({ type: 'subscribe', filter: { min_severity: 'extreme' } }));
    c.ws.send('not json');
    await c.until(4 + wanted.length + fromNet.length);
    expect(c.got.slice(-2).map((m) => m.type)).toEqual(['error', 'error']);
    expect(c.got.at(-2)!.message).toMatch(/"min_severity" has unknown value "extreme"/);
  });

  it('/ws/threats is the same stream; a behaviour scenario is a behaviour_alert', async () => {
    const { hub, base, threats } = await serve();
    const c = await connect(`ws://${base}/ws/threats?type=behaviour_alert`);
    const t = threats[0]!;
    hub.publish(liveAlertOfThreat(t));
    hub.publish(liveAlertOfThreat({ ...t, detections: [{ ...t.detections[0]!, ruleId: 'behaviour/path-scan' }] }));
    await c.until(2);
    expect(c.got[1]).toMatchObject({ type: 'behaviour_alert', scenarios: ['behaviour/path-scan'], data: { id: t.event.id } });
  });

  it('refuses a bad filter and a plain GET with 400 naming the problem', async () => {
    const { base } = await serve();
    const ws = new WebSocket(`ws://${base}/ws/alerts?ip=not-an-ip`);
    sockets.push(ws);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    expect(status).toBe(400);
    const plain = await api!.app.inject({ url: '/ws/alerts' });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().message).toMatch(/WebSocket endpoint/);
    const doc = (await api!.app.inject({ url: '/openapi.json' })).json();
    for (const path of ['/ws/alerts', '/ws/threats', '/api/alerts/stream']) {
      const names = (doc.paths[path].get.parameters as { name: string }[]).map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['min_severity', 'category', 'type', 'ip', 'host', 'resume']));
    }
    const sseBad = await api!.app.inject({ url: '/api/alerts/stream?min_severity=x' });
    expect(sseBad.statusCode).toBe(400);
    expect(sseBad.json().message).toMatch(/min_severity/);
  });

  it('sends an application heartbeat and pings (the ws client answers them)', async () => {
    const { hub, base } = await serve({ heartbeatSeconds: 0.05 });
    const c = await connect(`ws://${base}/ws/alerts`);
    let pings = 0;
    c.ws.on('ping', () => pings++);
    await c.until(3);
    expect(c.got.slice(1, 3).map((m) => m.type)).toEqual(['heartbeat', 'heartbeat']);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(hub.stats().clients.websocket).toBe(1);
    c.ws.send(JSON.stringify({ type: 'ping' }));
    await c.until(c.got.length + 1);
  });

  it('resumes: a client reconnecting with the last id gets what it missed; a too-old id gets a gap', async () => {
    const { hub, base, threats } = await serve({ resumeBuffer: 4 });
    const a = await connect(`ws://${base}/ws/alerts`);
    hub.publish(liveAlertOfThreat(threats[0]!));
    await a.until(2);
    const last = a.got[1]!.id as string;
    a.ws.close();
    await a.closed;
    for (const t of threats.slice(1, 4)) hub.publish(liveAlertOfThreat(t));
    const b = await connect(`ws://${base}/ws/alerts?resume=${last}`);
    await b.until(4);
    expect(b.got.slice(1).map((m) => m.data.id)).toEqual(threats.slice(1, 4).map((t) => t.event.id));
    for (const t of threats.slice(0, 5)) hub.publish(liveAlertOfThreat(t));
    const c = await connect(`ws://${base}/ws/alerts?resume=${last}`);
    await c.until(2);
    expect(c.got[1]).toMatchObject({ type: 'gap', resume: last });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.got).toHaveLength(2);
  });

  it('closes a client that stopped reading with 4008, keeping what the server buffers for it bounded', async () => {
    const limit = 256 * 1024;
    const { hub, base, threats } = await serve({ clientMaxBytes: limit, clientMaxMessages: 100_000 });
    const slow = await connect(`ws://${base}/ws/alerts`);
    const fast = await connect(`ws://${base}/ws/alerts`);
    await slow.until(1);
    // The reader stops: the kernel buffers fill, then ws buffers in the process, up to the limit.
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const big = { ...threats[0]!, event: { ...threats[0]!.event, path: '/' + 'a'.repeat(4000) } };
    const alert = liveAlertOfThreat(big);
    const heapBefore = process.memoryUsage().heapUsed;
    let n = 0;
    while (hub.stats().slowClosed === 0 && n < 20_000) {
      hub.publish(alert);
      n++;
      if (n % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(hub.stats().slowClosed).toBe(1);
    expect(hub.stats().peakClientBytes).toBeLessThanOrEqual(limit);
    expect(hub.stats().clients.websocket).toBe(1);
    // Not a leak: what the hub holds is the resume buffer, not the slow client's backlog.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(4008);
    expect(closed.reason).toMatch(/too slow/);
    // The fast client saw everything.
    await fast.until(1 + n, 20_000);
  }, 60_000);

  it('closes every live client (1001) when the server closes', async () => {
    const { base } = await serve();
    const c = await connect(`ws://${base}/ws/alerts`);
    const s = await sse(`http://${base}/api/alerts/stream`);
    await s.until(1);
    const t0 = Date.now();
    await api!.app.close();
    api = undefined;
    expect((await c.closed).code).toBe(1001);
    await s.done;
    expect(s.events.at(-1)!.data).toMatchObject({ type: 'closing', code: 1001 });
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});

describe('live alerts over Server-Sent Events', () => {
  it('streams filtered alerts with ids; Last-Event-ID resumes, a stale one gets a gap', async () => {
    const { hub, base, threats } = await serve({ resumeBuffer: 10 });
    const s = await sse(`http://${base}/api/alerts/stream?category=sqli,xss`);
    expect(s.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(s.res.headers.get('x-request-id')).toBeTruthy();
    await s.until(1);
    expect(s.events[0]!.data).toMatchObject({ type: 'subscribed', filter: { category: ['sqli', 'xss'] } });
    // Pending, as the pipeline publishes them (built when the client wants them).
    for (const t of threats) hub.publish(new ThreatAlert(t));
    const wanted = threats.filter((t) => t.category === 'sqli' || t.category === 'xss');
    await s.until(1 + wanted.length);
    expect(s.events.slice(1).map((e) => e.data.data.id)).toEqual(wanted.map((t) => t.event.id));
    expect(s.events[1]!.id).toBe(s.events[1]!.data.id);
    s.abort.abort();

    const seen = s.events.at(-1)!.id!;
    hub.publish(liveAlertOfThreat(threats.find((t) => t.category === 'sqli')!));
    const r = await sse(`http://${base}/api/alerts/stream?category=sqli,xss`, { 'last-event-id': seen });
    await r.until(2);
    expect(r.events[1]!.data).toMatchObject({ type: 'threat_detected', data: { category: 'sqli' } });

    for (let i = 0; i < 12; i++) hub.publish(liveAlertOfThreat(threats[0]!));
    const g = await sse(`http://${base}/api/alerts/stream?resume=${seen}`);
    await g.until(2);
    expect(g.events[1]!.data).toMatchObject({ type: 'gap' });
    await new Promise((res) => setTimeout(res, 50));
    expect(hub.stats().clients.sse).toBe(2);
  });

  it('ends the stream of a client that stopped reading, with a closing message (4008) after what was buffered', async () => {
    const limit = 128 * 1024;
    const { hub, base, threats } = await serve({ clientMaxBytes: limit, clientMaxMessages: 100_000 });
    const res = await new Promise<IncomingMessage>((resolve) => get(`http://${base}/api/alerts/stream`, resolve));
    res.pause();
    res.socket.pause();
    const big = liveAlertOfThreat({ ...threats[0]!, event: { ...threats[0]!.event, path: '/' + 'b'.repeat(4000) } });
    let n = 0;
    while (hub.stats().slowClosed === 0 && n < 20_000) {
      hub.publish(big);
      if (++n % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(hub.stats()).toMatchObject({ slowClosed: 1, clients: { sse: 0 } });
    expect(hub.stats().peakClientBytes).toBeLessThanOrEqual(limit);
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.socket.resume();
    res.resume();
    await new Promise((r) => res.once('end', r));
    const last = text.trimEnd().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({ type: 'closing', code: 4008, reason: expect.stringMatching(/too slow/) });
  }, 60_000);
});
