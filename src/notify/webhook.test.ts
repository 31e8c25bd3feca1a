/**
 * The webhook and Slack channels behind the notifier, against a local HTTP receiver started here: signed bodies,
 * retries on 5xx/429/timeouts/closed sockets, Retry-After, dead letters in a real store, throttling, a hung
 * receiver that never holds the writer, and shutdown.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type Layer } from '../config/index.js';
import { openStore, type Store } from '../store/index.js';
import { buildChannels } from './channels.js';
import { Notifier } from './notifier.js';
import { startHttpReceiver, type HttpReceiver } from './testing/http-receiver.js';
import { threat } from './testing/fixtures.js';
import { FIELDS } from './types.js';

const SECRET = 'webhook-secret-0123456789';
let store: Store;
let rx: HttpReceiver;
let notifier: Notifier | undefined;
let clock = Date.now();

beforeAll(async () => {
  store = await openStore({ databaseUrl: 'memory://' });
}, 180_000);
afterAll(async () => {
  await store?.close();
});
afterEach(async () => {
  await notifier?.close(1000);
  notifier = undefined;
  await rx?.close();
  await store.sql.query('DELETE FROM notification_dead_letters');
});

async function setUp(channel: Record<string, unknown>, notify: Record<string, unknown> = {}) {
  rx = await startHttpReceiver({ secret: SECRET });
  const config = validateConfig({
    notify: {
      channels: { ops: { type: 'webhook', url: rx.url, secret: SECRET, timeoutSeconds: 2, ...channel } },
      routes: [{ channels: ['ops'], minSeverity: 'low' }],
      delivery: { attempts: 3, initialDelaySeconds: 0.02, maxDelaySeconds: 5, queueCapacity: 10 },
      ...notify,
    },
  } as Layer).notify;
  clock = Date.now();
  notifier = new Notifier({ config, channels: buildChannels(config, {}), deadLetters: store.deadLetters, clock: () => clock });
  return notifier;
}

const batch = (...threats: ReturnType<typeof threat>[]) => ({ sourceId: '/var/log/nginx/access.log', threats });

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhook', () => {
  it('posts the default body, signed over the exact bytes, with a delivery id', async () => {
    const n = await setUp({});
    n.write(batch(threat()));
    const [got] = await rx.waitFor(1);
    expect(got!.verified).toEqual({ ok: true });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-rampart-delivery']).toBe('ev-1.ops');
    const body = JSON.parse(got!.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['type', ...FIELDS]);
    expect(body).toMatchObject({ type: 'rampart.alert', id: 'ev-1', ip: '203.0.113.7', rule: 'sqli-union-select', severity: 'high', suppressed: 0 });
  });

  it('renders the configured template; a hostile path stays a string value', async () => {
    const n = await setUp({ template: { text: 'Rampart: {{severity | upper}} {{rule}} from {{ip}} on {{path}}', score: '{{score}}' }, headers: { Authorization: 'Bearer t0ken' } });
    const hostile = '/x", "admin": true, "y": "{{ip}}\n';
    const t = threat();
    (t.event as { path: string }).path = hostile;
    n.write(batch(t));
    const [got] = await rx.waitFor(1);
    expect(got!.verified).toEqual({ ok: true });
    expect(got!.headers.authorization).toBe('Bearer t0ken');
    expect(JSON.parse(got!.body)).toEqual({ text: `Rampart: HIGH sqli-union-select from 203.0.113.7 on ${hostile}`, score: 0.9 });
  });

  it('sends user:password in the URL as Basic authorization (fetch refuses credentials in a URL)', async () => {
    rx = await startHttpReceiver();
    const url = rx.url.replace('http://', 'http://hook%40user:p%3Ass@');
    const config = validateConfig({ notify: { channels: { ops: { type: 'webhook', url } } } } as Layer).notify;
    notifier = new Notifier({ config, channels: buildChannels(config, {}), deadLetters: store.deadLetters });
    notifier.write(batch(threat()));
    const [got] = await rx.waitFor(1);
    expect(got!.headers.authorization).toBe(`Basic ${Buffer.from('hook@user:p:ss').toString('base64')}`);
  });

  it('renders a dead letter from an older version that lacks a field as null or empty', async () => {
    const { compileTemplate, renderBody } = await import('./template.js');
    const { notification } = await import('./testing/fixtures.js');
    const old = { ...notification() } as Record<string, unknown>;
    delete old.as_org;
    const body = renderBody(compileTemplate({ a: '{{as_org}}', b: 'org={{as_org}}' }), old as never);
    expect(JSON.parse(body)).toEqual({ a: null, b: 'org=' });
  });

  it('retries a 500, a closed socket and a timeout, then delivers once accepted; no dead letter', async () => {
    const n = await setUp({ timeoutSeconds: 0.5 }, { delivery: { attempts: 4, initialDelaySeconds: 0.02, maxDelaySeconds: 1, queueCapacity: 10 } });
    rx.answers.push({ status: 500, body: 'boom' }, 'close', 'hang');
    n.write(batch(threat()));
    const got = await rx.waitFor(4);
    await n.idle();
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(got.every((r) => r.verified?.ok === true)).toBe(true);
    expect(n.deliveries.get('ops')!.stats).toMatchObject({ sent: 1, retries: 3, deadLettered: 0 });
    expect(await store.deadLetters.count()).toBe(0);
  });

  it('waits as long as a 429 Retry-After asks (up to maxDelaySeconds)', async () => {
    const n = await setUp({});
    rx.answers.push({ status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    n.write(batch(threat()));
    await rx.waitFor(2);
    await n.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(n.deliveries.get('ops')!.stats).toMatchObject({ sent: 1, retries: 1 });
  });

  it('keeps a dead letter after the last attempt, with the receiver’s last answer', async () => {
    const n = await setUp({});
    rx.answers.push({ status: 503, body: 'down for\nmaintenance' }, { status: 502 }, { status: 500, body: 'still down' });
    n.write(batch(threat()));
    await rx.waitFor(3);
    await until('the dead letter', async () => (await store.deadLetters.count()) === 1);
    const [letter] = await store.deadLetters.list({ limit: 10 });
    expect(letter).toMatchObject({ channel: 'ops', threatId: 'ev-1', attempts: 3 });
    expect(letter!.error).toBe(`webhook ops: ${new URL(rx.url).origin} answered 500: still down`);
    expect(letter!.notification).toMatchObject({ id: 'ev-1', ip: '203.0.113.7' });
    expect(n.deliveries.get('ops')!.stats).toMatchObject({ sent: 0, retries: 2, deadLettered: 1 });
    expect(n.deliveries.get('ops')!.sinkCounters).toEqual({ delivered: 0, failed: 1, dropped: 0, queued: 0 });
  });

  it('does not retry an answer that will not change (400): dead letter after one attempt', async () => {
    const n = await setUp({});
    rx.answers.push({ status: 400, body: '{"error":"bad payload"}' });
    n.write(batch(threat()));
    await until('the dead letter', async () => (await store.deadLetters.count()) === 1);
    expect(rx.received).toHaveLength(1);
    expect((await store.deadLetters.list({ limit: 1 }))[0]).toMatchObject({ attempts: 1, error: expect.stringContaining('answered 400: {"error":"bad payload"}') });
  });

  it('a hung receiver never holds the writer: write returns at once, the queue stays bounded and counts what it drops', async () => {
    const n = await setUp({ timeoutSeconds: 30 });
    for (let i = 0; i < 20; i++) rx.answers.push('hang');
    for (let i = 0; i < 100; i++) expect(n.write(batch(threat({ id: `ev-${i}`, ip: `198.51.100.${i}` })))).toBeUndefined();
    await rx.waitFor(1);
    const stats = n.deliveries.get('ops')!.stats;
    // One in the receiver's hands, ten waiting (queueCapacity), the rest dropped (oldest first).
    expect(stats).toMatchObject({ sent: 0, queued: 10, dropped: 89 });
  });

  it('throttles per IP and rule; the next notification after the window counts what was left out', async () => {
    const n = await setUp({}, { throttle: { windowSeconds: 600 } });
    for (let i = 0; i < 5; i++) n.write(batch(threat({ id: `a-${i}` })));
    n.write(batch(threat({ id: 'other-ip', ip: '198.51.100.1' })));
    await rx.waitFor(2);
    await n.idle();
    expect(rx.received).toHaveLength(2);
    expect(n.stats).toMatchObject({ offered: 2, throttled: 4 });
    clock += 600_000;
    n.write(batch(threat({ id: 'a-after' })));
    const [, , third] = await rx.waitFor(3);
    expect(JSON.parse(third!.body)).toMatchObject({ id: 'a-after', suppressed: 4 });
  });

  it('does not notify a replayed threat twice', async () => {
    const n = await setUp({}, { throttle: { windowSeconds: 0 } });
    n.write(batch(threat({ id: 'same' })));
    n.write(batch(threat({ id: 'same' })));
    await rx.waitFor(1);
    await n.idle();
    expect(rx.received).toHaveLength(1);
    expect(n.stats.duplicates).toBe(1);
  });

  it('on close, stops retrying and keeps what it held as dead letters', async () => {
    const n = await setUp({}, { delivery: { attempts: 5, initialDelaySeconds: 60, maxDelaySeconds: 60, queueCapacity: 10 } });
    rx.answers.push({ status: 500 });
    n.write(batch(threat({ id: 'held' }), threat({ id: 'queued', ip: '198.51.100.2' })));
    await until('the first retry to be scheduled', () => n.deliveries.get('ops')!.stats.retries === 1);
    await n.close(5000);
    notifier = undefined;
    const letters = await store.deadLetters.list({ limit: 10 });
    expect(letters.map((l) => l.threatId).sort()).toEqual(['held', 'queued']);
    expect(letters.find((l) => l.threatId === 'held')!.error).toMatch(/answered 500 \(stopped before the last attempt: shutting down\)$/);
    expect(letters.find((l) => l.threatId === 'queued')!).toMatchObject({ attempts: 0, error: 'not sent: shutting down (stopped before the last attempt: shutting down)' });
  });
});

describe('slack', () => {
  it('posts text and blocks in the incoming-webhook format', async () => {
    rx = await startHttpReceiver({ path: '/services/T000/B000/XXXX' });
    const config = validateConfig({ notify: { channels: { chat: { type: 'slack', url: rx.url } } } } as Layer).notify;
    notifier = new Notifier({ config, channels: buildChannels(config, {}), deadLetters: store.deadLetters });
    notifier.write(batch(threat()));
    const [got] = await rx.waitFor(1);
    expect(got!.url).toBe('/services/T000/B000/XXXX');
    expect(got!.headers['x-rampart-signature']).toBeUndefined();
    const body = JSON.parse(got!.body) as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe('HIGH sqli from 203.0.113.7 on www.example.com: sqli-union-select');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
  });

  it('names the receiver by origin only in errors (the URL path is the credential)', async () => {
    rx = await startHttpReceiver({ path: '/services/T000/B000/SECRETPART' });
    rx.answers.push({ status: 404, body: 'no_service' });
    const config = validateConfig({ notify: { channels: { chat: { type: 'slack', url: rx.url } }, delivery: { attempts: 1 } } } as Layer).notify;
    notifier = new Notifier({ config, channels: buildChannels(config, {}), deadLetters: store.deadLetters });
    notifier.write(batch(threat()));
    await until('the dead letter', async () => (await store.deadLetters.count()) === 1);
    const [letter] = await store.deadLetters.list({ limit: 1 });
    expect(letter!.error).toBe(`slack chat: ${new URL(rx.url).origin} answered 404: no_service`);
    expect(letter!.error).not.toContain('SECRETPART');
  });
});
