import { describe, expect, it } from 'vitest';
import { AlertHub, CLOSE_SLOW, type LiveConnection } from './hub.js';
import { parseSubscribeFilter, matches } from './filter.js';
import type { LiveAlert, PendingAlert } from './message.js';
import type { ThreatJson } from '../../store/index.js';

function alert(over: Partial<ThreatJson> = {}, type: 'threat_detected' | 'behaviour_alert' = 'threat_detected'): LiveAlert {
  const data = { id: '0123456789abcdef', ip: '203.0.113.7', host: 'shop.example', severity: 'high', category: 'sqli', ...over } as ThreatJson;
  return type === 'behaviour_alert' ? { type, scenarios: ['behaviour/scan'], data } : { type, data };
}

/** A connection that records what it is sent; `stall` keeps sends pending (a reader that stopped). */
function fakeConnection(stall = false) {
  const sent: Record<string, unknown>[] = [];
  const pending: (() => void)[] = [];
  let closed: { code: number; reason: string } | null = null;
  let bytes = 0;
  const conn: LiveConnection = {
    transport: 'websocket',
    send(text, done) {
      sent.push(JSON.parse(text) as Record<string, unknown>);
      if (stall) {
        bytes += text.length;
        pending.push(done);
      } else done();
    },
    bufferedBytes: () => bytes,
    close: (code, reason) => void (closed = { code, reason }),
  };
  return { conn, sent, pending, closed: () => closed };
}

describe('AlertHub', () => {
  it('numbers alerts, sends each to the clients whose filter wants it, and confirms the filter first', () => {
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0 });
    const all = fakeConnection();
    const critical = fakeConnection();
    hub.connect(all.conn, {});
    hub.connect(critical.conn, { minSeverity: 'critical' });
    hub.publish(alert());
    hub.publish(alert({ severity: 'critical' }));
    expect(all.sent.map((m) => [m.type, m.id])).toEqual([['subscribed', null], ['threat_detected', 'h1-1'], ['threat_detected', 'h1-2']]);
    expect(critical.sent.map((m) => m.id)).toEqual([null, 'h1-2']);
    expect(hub.stats()).toMatchObject({ clients: { websocket: 2, sse: 0 }, published: 2, sent: 5 });
  });

  it('replays what a client missed after its resume token, through its filter', () => {
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0 });
    for (let i = 0; i < 5; i++) hub.publish(alert({ ip: i % 2 ? '10.0.0.1' : '203.0.113.7' }));
    const c = fakeConnection();
    hub.connect(c.conn, { ips: (parseSubscribeFilter({ ip: '203.0.113.0/24' }) as { ips: never }).ips }, 'h1-2');
    expect(c.sent.map((m) => m.id)).toEqual(['h1-5', 'h1-3', 'h1-5']);
    expect(c.sent[0]!.type).toBe('subscribed');
    expect(hub.stats().resumed).toBe(1);
  });

  it.each([
    ['older than the buffer', 'h1-1', /older than the resume buffer/],
    ['from another stream', 'zz-3', /another stream/],
    ['not a token', 'garbage', /not a resume token/],
  ])('sends a gap message for a token %s', (_, token, why) => {
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0, resumeBuffer: 3 });
    for (let i = 0; i < 6; i++) hub.publish(alert());
    const c = fakeConnection();
    hub.connect(c.conn, {}, token);
    expect(c.sent[1]).toMatchObject({ type: 'gap', oldest: 'h1-4' });
    expect(c.sent[1]!.message).toMatch(why);
    expect(c.sent).toHaveLength(2);
    expect(hub.stats().gaps).toBe(1);
  });

  it('forgets messages older than the resume window', () => {
    let now = 0;
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0, resumeSeconds: 60, clock: () => now });
    hub.publish(alert());
    now = 61_000;
    hub.publish(alert());
    const c = fakeConnection();
    hub.connect(c.conn, {}, 'h1-0');
    expect(c.sent[1]).toMatchObject({ type: 'gap' });
  });

  it('closes a client that falls behind with 4008 and never buffers past its limit', () => {
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0, clientMaxMessages: 10, clientMaxBytes: 1 << 20 });
    const slow = fakeConnection(true);
    const fast = fakeConnection();
    hub.connect(slow.conn, {});
    hub.connect(fast.conn, {});
    for (let i = 0; i < 100; i++) hub.publish(alert());
    expect(slow.closed()).toMatchObject({ code: CLOSE_SLOW });
    expect(slow.closed()!.reason).toMatch(/too slow: 10 messages/);
    expect(slow.sent).toHaveLength(10);
    expect(fast.sent).toHaveLength(101);
    expect(hub.stats()).toMatchObject({ clients: { websocket: 1 }, slowClosed: 1, dropped: 1 });
  });

  it('bounds a client by bytes too', () => {
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0, clientMaxMessages: 1_000_000, clientMaxBytes: 10_000 });
    const slow = fakeConnection(true);
    hub.connect(slow.conn, {});
    for (let i = 0; i < 1000; i++) hub.publish(alert({ path: 'x'.repeat(500) }));
    expect(slow.closed()).toMatchObject({ code: CLOSE_SLOW });
    expect(hub.stats().peakClientBytes).toBeLessThanOrEqual(10_000);
  });

  it('builds nothing while no client is connected; a client resuming later gets the alerts built, timed when they arrived', () => {
    let now = Date.parse('2026-12-08T01:00:00Z');
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0, clock: () => now });
    let builds = 0;
    const pending = (over: Partial<ThreatJson>): PendingAlert => {
      let built: LiveAlert | undefined;
      return { toJSON: () => (built ??= (builds++, alert(over))) };
    };
    for (let i = 0; i < 5; i++) {
      hub.publish(pending({ ip: i % 2 ? '10.0.0.1' : '203.0.113.7' }));
      now += 1000;
    }
    expect(builds).toBe(0);
    expect(hub.stats()).toMatchObject({ published: 5, serialised: 0, resumeBuffer: 5 });

    const c = fakeConnection();
    hub.connect(c.conn, {}, 'h1-2');
    expect(c.sent.map((m) => [m.id, m.time])).toEqual([
      ['h1-5', undefined], // subscribed, with the newest id
      ['h1-3', '2026-12-08T01:00:02.000Z'],
      ['h1-4', '2026-12-08T01:00:03.000Z'],
      ['h1-5', '2026-12-08T01:00:04.000Z'],
    ]);
    expect(c.sent[1]).toMatchObject({ type: 'threat_detected', data: { ip: '203.0.113.7', severity: 'high' } });
    expect(builds).toBe(3);

    // With clients, each alert is built once, however many clients get it or resume it later.
    const other = fakeConnection();
    hub.connect(other.conn, {});
    hub.publish(pending({}));
    const late = fakeConnection();
    hub.connect(late.conn, {}, 'h1-2');
    expect(builds).toBe(4);
    expect(hub.stats().serialised).toBe(4);
    expect(late.sent.map((m) => m.id)).toEqual(['h1-6', 'h1-3', 'h1-4', 'h1-5', 'h1-6']);
    expect(c.sent.at(-1)).toEqual(other.sent.at(-1));
  });

  it('sends a pending alert exactly as the same alert published built', () => {
    const sentBy = (a: LiveAlert | PendingAlert) => {
      const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0, clock: () => 0 });
      const texts: string[] = [];
      hub.connect({ transport: 'sse', send: (t, done) => (texts.push(t), done()), bufferedBytes: () => 0, close() {} }, {});
      hub.publish(a);
      return texts;
    };
    const a = alert({}, 'behaviour_alert');
    expect(sentBy({ toJSON: () => a })).toEqual(sentBy(a));
  });

  it('sends heartbeats, and closes a WebSocket that stopped answering pings', async () => {
    const hub = new AlertHub({ hubId: 'h1', heartbeatSeconds: 0.02 });
    const c = fakeConnection();
    let pongs = 1;
    c.conn.ping = () => pongs-- > 0;
    hub.connect(c.conn, {});
    await new Promise((r) => setTimeout(r, 100));
    hub.close();
    expect(c.sent.filter((m) => m.type === 'heartbeat').length).toBe(1);
    expect(c.closed()).toMatchObject({ code: 4009 });
  });
});

describe('alert filters', () => {
  const f = (raw: Record<string, unknown>) => {
    const r = parseSubscribeFilter(raw);
    if ('error' in r) throw new Error(r.error);
    return r;
  };
  it.each<[Record<string, unknown>, LiveAlert, boolean]>([
    [{}, alert(), true],
    [{ min_severity: 'high' }, alert({ severity: 'medium' }), false],
    [{ min_severity: 'HIGH' }, alert({ severity: 'critical' }), true],
    [{ category: ['xss', 'sqli'] }, alert(), true],
    [{ category: 'xss' }, alert(), false],
    [{ ip: '203.0.113.0/24,10.0.0.1' }, alert(), true],
    [{ ip: ['2001:db8::/32'] }, alert(), false],
    [{ ip: '10.0.0.1' }, alert({ ip: '10.0.0.1' }), true],
    [{ host: 'SHOP.example' }, alert(), true],
    [{ host: 'other.example' }, alert(), false],
    [{ host: 'shop.example' }, alert({ host: null }), false],
    [{ type: 'behaviour_alert' }, alert(), false],
    [{ type: 'behaviour_alert' }, alert({}, 'behaviour_alert'), true],
    [{ ip: '10.0.0.0/8', min_severity: 'critical' }, { type: 'decision', data: { ip: '10.1.2.3' } }, true],
    [{ ip: '10.0.0.0/8' }, { type: 'decision', data: {} }, false],
  ])('%j on %j: %s', (raw, a, want) => {
    expect(matches(f(raw), a)).toBe(want);
  });

  it.each([
    [{ min_severity: 'huge' }, /"min_severity" has unknown value "huge"/],
    [{ ip: '300.1.1.1' }, /"ip" has "300.1.1.1", which is neither an IP nor a CIDR/],
    [{ colour: 'red' }, /colour/],
    ['all', /must be an object/],
  ])('refuses %j naming the field', (raw, why) => {
    expect(parseSubscribeFilter(raw)).toEqual({ error: expect.stringMatching(why) });
  });
});
