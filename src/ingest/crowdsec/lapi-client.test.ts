/** The LAPI client against a real CrowdSec LAPI (the Debian package, a private instance); skips visibly without it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LapiClient, LapiError } from './lapi-client.js';
import { toLapiAlerts } from './push.js';
import { startPrivateLapi, type PrivateLapi } from './testing/private-lapi.js';

const lapi = await startPrivateLapi('LAPI client against crowdsec');

describe.skipIf(lapi === null)('LapiClient against a real CrowdSec LAPI', { timeout: 120_000 }, () => {
  let l: PrivateLapi;
  beforeAll(() => {
    l = lapi!;
  });
  afterAll(async () => {
    await lapi?.destroy();
  });
  const client = () => new LapiClient({ url: l.url, bouncerKey: l.bouncerKey, machine: l.machine });

  it('reads the decision stream: startup, then what changed, each side null when empty', async () => {
    const c = client();
    expect(await c.decisionStream(true)).toEqual({ new: null, deleted: null });
    await l.cscli('decisions', 'add', '--ip', '192.0.2.10', '--duration', '2h', '--reason', 'client test');
    await l.cscli('decisions', 'add', '--range', '198.51.100.0/24', '--type', 'captcha');
    const s = await c.decisionStream(false);
    expect(s.deleted).toBeNull();
    expect(s.new!.map((d) => [d.scope, d.value, d.type, d.origin])).toEqual(
      expect.arrayContaining([
        ['Ip', '192.0.2.10', 'ban', 'cscli'],
        ['Range', '198.51.100.0/24', 'captcha', 'cscli'],
      ]),
    );
    expect(s.new!.find((d) => d.value === '192.0.2.10')!.scenario).toBe('client test');
    await l.cscli('decisions', 'delete', '--ip', '192.0.2.10');
    const after = await c.decisionStream(false);
    expect(after.deleted!.map((d) => d.value)).toContain('192.0.2.10');
  });

  it('says which request failed and why: a bad key (403), a bad password, a response over the size cap', async () => {
    const bad = new LapiClient({ url: l.url, bouncerKey: 'x'.repeat(32), machine: { login: l.machine.login, password: 'wrong' } });
    await expect(bad.decisionStream(true)).rejects.toMatchObject({ status: 403, message: 'crowdsec GET /v1/decisions/stream: HTTP 403 (access forbidden)' });
    const err = await bad.alerts({ limit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LapiError);
    expect((err as LapiError).message).toMatch(/^crowdsec POST \/v1\/watchers\/login: HTTP 401/);
    expect((err as LapiError).message).not.toContain('wrong');
    const tiny = new LapiClient({ url: l.url, bouncerKey: l.bouncerKey, maxResponseBytes: 20 });
    await expect(tiny.decisionStream(true)).rejects.toThrow(/over the 20-byte limit/);
  });

  it('logs in as a machine, pushes an alert with a decision and reads it back with its events', async () => {
    const c = client();
    const now = Date.now();
    const alerts = toLapiAlerts(
      [
        {
          event: {
            id: 'abc',
            time: now,
            ip: '203.0.113.77',
            peerIp: null,
            method: 'GET',
            host: 'shop.example',
            path: '/q',
            query: 'id=1 union select 1',
            protocol: 'HTTP/1.1',
            status: 403,
            bytes: 0,
            referer: null,
            userAgent: 'sqlmap/1.7',
            requestTime: null,
            ja4: null,
            ja4h: null,
            headers: null,
            origin: { kind: 'file', source: '/x', offset: 0, line: 1 },
          },
          detections: [{ ruleId: 'sqli-union-select', category: 'sqli', severity: 'high', confidence: 0.9, field: 'query', fragment: 'union select' }],
          score: 0.8,
          severity: 'high',
          category: 'sqli',
        },
      ],
      { minSeverity: 'high', decision: { type: 'ban', durationMs: 3_600_000 } },
      now,
    );
    const ids = await c.pushAlerts(alerts);
    expect(ids).toHaveLength(1);
    const read = await c.alerts({ limit: 10 });
    const mine = read.find((a) => String(a.id) === ids[0])!;
    expect(mine).toMatchObject({ scenario: 'rampart/sqli-union-select', source: { scope: 'Ip', value: '203.0.113.77' } });
    expect(mine.events![0]!.meta).toEqual(expect.arrayContaining([{ key: 'http_path', value: '/q?id=1 union select 1' }]));
    expect(mine.decisions![0]).toMatchObject({ type: 'ban', value: '203.0.113.77', origin: 'crowdsec' });
    const stream = await c.decisionStream(true);
    expect(stream.new!.map((d) => d.value)).toContain('203.0.113.77');
  });

  it('logs in again when the token is about to expire, and once on a 401', async () => {
    const logins: string[] = [];
    let now = Date.now();
    const c = new LapiClient({
      url: l.url,
      machine: l.machine,
      now: () => now,
      fetch: (input, init) => {
        if (String(input).endsWith('/v1/watchers/login')) logins.push(String(input));
        return fetch(input, init);
      },
    });
    await c.alerts({ limit: 1 });
    await c.alerts({ limit: 1 });
    expect(logins).toHaveLength(1);
    // The LAPI's tokens live an hour (renewed a minute before): an hour later this one is past its renewal for sure
    // (the LAPI's `expire` is in whole seconds of its own clock, so the exact minute mark would race the login).
    now += 3_600_000;
    await c.alerts({ limit: 1 });
    expect(logins).toHaveLength(2);
    // A token the LAPI no longer takes (restarted with a new secret): one 401, one login, the call succeeds.
    (c as unknown as { token: { value: string; renewAt: number } }).token = { value: 'not.a.token', renewAt: Infinity };
    await expect(c.alerts({ limit: 1 })).resolves.toBeInstanceOf(Array);
    expect(logins).toHaveLength(3);
  });

  it('a stopped LAPI is an error without an HTTP status, and the client works again once it is back', async () => {
    const c = client();
    await l.stop();
    try {
      const err = await c.decisionStream(true).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LapiError);
      expect((err as LapiError).status).toBeNull();
      expect((err as LapiError).message).toBe('crowdsec GET /v1/decisions/stream: ECONNREFUSED');
    } finally {
      await l.start();
    }
    expect((await c.decisionStream(true)).new).not.toBeNull();
  });
});
