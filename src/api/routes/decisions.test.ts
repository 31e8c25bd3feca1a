/**
 * Decisions over HTTP: validation naming the parameter, add/list/delete, stats, the seed shapes and their cache
 * invalidation, and the CrowdSec bouncer API's answers as CrowdSec 1.4.6 gives them (startup vs delta, filters,
 * deleted and expired decisions, null rather than [], 403 and 500 bodies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOW, openTestApi, type TestApi } from '../testing/fixtures.js';

let t: TestApi;
let now = NOW;
let key = '';
const H = 3_600_000;

beforeAll(async () => {
  t = await openTestApi({ clock: () => now });
  const res = await t.app.inject({ method: 'POST', url: '/api/bouncers', payload: { name: 'fw' } });
  key = (res.json() as { key: string }).key;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const bouncer = (url: string, k = key) => t.app.inject({ url, headers: { 'x-api-key': k, 'user-agent': 'crowdsec-firewall-bouncer/v0.0.25' } });
const add = (payload: object) => t.app.inject({ method: 'POST', url: '/api/decisions', payload });

describe('validation names the parameter', () => {
  it.each([
    [{ method: 'POST' as const, url: '/api/decisions', payload: { ip: 'nope' } }, /ip/],
    [{ method: 'POST' as const, url: '/api/decisions', payload: { ip: '10.0.0.0/8' } }, /ip .*is a range/],
    [{ method: 'POST' as const, url: '/api/decisions', payload: { ip: '1.2.3.4', range: '10.0.0.0/8' } }, /exactly one of ip and range/],
    [{ method: 'POST' as const, url: '/api/decisions', payload: { ip: '1.2.3.4', duration: 'forever' } }, /duration/],
    [{ method: 'POST' as const, url: '/api/decisions', payload: { ip: '1.2.3.4', type: 'drop' } }, /type/],
    [{ method: 'POST' as const, url: '/api/decisions', payload: { ip: '1.2.3.4', extra: 1 } }, /extra/],
    [{ method: 'GET' as const, url: '/api/decisions?ip=999.1.1.1' }, /ip/],
    [{ method: 'GET' as const, url: '/api/decisions?limit=0' }, /limit/],
    [{ method: 'DELETE' as const, url: '/api/decisions' }, /at least one of ip, range, scenario, origin, id/],
    [{ method: 'DELETE' as const, url: '/api/decisions?range=10.0.0.0/99' }, /range/],
    [{ method: 'POST' as const, url: '/api/bouncers', payload: { name: 'bad name' } }, /bouncer name "bad name" is not valid/],
  ])('%j', async (req, message) => {
    const res = await t.app.inject(req);
    expect(res.statusCode).toBe(400);
    expect((res.json() as { message: string }).message).toMatch(message);
  });
});

describe('decisions and the bouncer stream', () => {
  it('answers an empty store as CrowdSec does', async () => {
    const s = await bouncer('/v1/decisions/stream?startup=true');
    expect(s.statusCode).toBe(200);
    expect(s.body).toBe('{"deleted":null,"new":null}');
    const d = await bouncer('/v1/decisions');
    expect(d.statusCode).toBe(200);
    expect(d.body).toBe('null');
  });

  it('refuses a bad or missing key with 403 access forbidden', async () => {
    for (const res of [await bouncer('/v1/decisions/stream', 'rb_wrong'), await t.app.inject({ url: '/v1/decisions' })]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toBe('{"message":"access forbidden"}');
    }
  });

  let ipId = 0;
  let rangeId = 0;
  it('gives added decisions in the next delta, in CrowdSec\u2019s fields, and every active one at startup', async () => {
    now += 1000;
    const a = await add({ ip: '1.2.3.4' });
    expect(a.statusCode).toBe(201);
    ipId = (a.json() as { id: number }).id;
    expect(a.json()).toMatchObject({ scope: 'Ip', value: '1.2.3.4', type: 'ban', origin: 'manual', scenario: "manual 'ban' from 'anonymous (auth.mode off)'", duration: '4h0m0s', active: true, until: new Date(now + 4 * H).toISOString() });
    const r = await add({ range: '10.9.0.0/16', duration: '1h', type: 'captcha', reason: 'manual range test' });
    rangeId = (r.json() as { id: number }).id;
    now += 714;
    const delta = await bouncer('/v1/decisions/stream');
    expect(delta.json()).toEqual({
      deleted: null,
      new: [
        { duration: '59m59.286s', id: rangeId, origin: 'manual', scenario: 'manual range test', scope: 'Range', type: 'captcha', value: '10.9.0.0/16' },
        { duration: '3h59m59.286s', id: ipId, origin: 'manual', scenario: "manual 'ban' from 'anonymous (auth.mode off)'", scope: 'Ip', type: 'ban', value: '1.2.3.4' },
      ],
    });
    now += 10_000;
    expect((await bouncer('/v1/decisions/stream')).body).toBe('{"deleted":null,"new":null}');
    const startup = (await bouncer('/v1/decisions/stream?startup=true')).json() as { new: { id: number }[] };
    expect(startup.new.map((d) => d.id)).toEqual([rangeId, ipId]);
  });

  it('filters the stream by scopes, origins and scenarios', async () => {
    const ids = async (q: string) => (((await bouncer(`/v1/decisions/stream?startup=true&${q}`)).json() as { new: { id: number }[] | null }).new ?? []).map((d) => d.id);
    expect(await ids('scopes=ip')).toEqual([ipId]);
    expect(await ids('scopes=Range')).toEqual([rangeId]);
    expect(await ids('origins=crowdsec')).toEqual([]);
    expect(await ids('origins=manual,crowdsec')).toEqual([rangeId, ipId]);
    expect(await ids('scenarios_containing=RANGE')).toEqual([rangeId]);
    expect(await ids('scenarios_not_containing=range')).toEqual([ipId]);
  });

  it('answers GET /v1/decisions by ip (a range containing it matches), range, scope, value, type', async () => {
    const ids = async (q: string) => (((await bouncer(`/v1/decisions?${q}`)).json() as { id: number }[] | null) ?? []).map((d) => d.id);
    expect(await ids('ip=1.2.3.4')).toEqual([ipId]);
    expect(await ids('ip=10.9.1.1')).toEqual([rangeId]);
    expect(await ids('ip=10.10.1.1')).toEqual([]);
    expect((await bouncer('/v1/decisions?ip=10.10.1.1')).body).toBe('null');
    expect(await ids('range=10.9.4.0/24')).toEqual([rangeId]);
    expect(await ids('range=10.0.0.0/8&contains=false')).toEqual([rangeId]);
    expect(await ids('scope=ip')).toEqual([ipId]);
    expect(await ids('value=10.9.0.0/16')).toEqual([rangeId]);
    expect(await ids('type=captcha')).toEqual([rangeId]);
    const bad = await bouncer('/v1/decisions?ip=notanip');
    expect(bad.statusCode).toBe(500);
    expect(bad.json()).toEqual({ message: "unable to convert 'notanip' to int: invalid address: invalid ip address / range" });
  });

  it('gives a deleted decision under deleted, with a negative duration, and an expired one too', async () => {
    now += 1000;
    const del = await t.app.inject({ method: 'DELETE', url: '/api/decisions?ip=1.2.3.4' });
    expect(del.json()).toEqual({ deleted: 1 });
    now += 11;
    const delta = (await bouncer('/v1/decisions/stream')).json() as { deleted: { id: number; duration: string }[]; new: null };
    expect(delta.new).toBeNull();
    expect(delta.deleted).toEqual([expect.objectContaining({ id: ipId, duration: '-11ms', value: '1.2.3.4' })]);
    // The range expires by itself an hour after it was added.
    now += H;
    // The deletion comes again: the previous pull was less than 2 s after it (CrowdSec 1.4.6's margin; bouncers
    // apply deletions idempotently).
    const later = (await bouncer('/v1/decisions/stream')).json() as { deleted: { id: number }[] };
    expect(later.deleted.map((d) => d.id)).toEqual([rangeId, ipId]);
    now += 3000;
    expect((await bouncer('/v1/decisions/stream')).body).toBe('{"deleted":null,"new":null}');
    expect((await bouncer('/v1/decisions')).body).toBe('null');
    // Startup lists what expired while it is still stored.
    const startup = (await bouncer('/v1/decisions/stream?startup=true')).json() as { deleted: { id: number }[]; new: null };
    expect(startup.new).toBeNull();
    expect(startup.deleted.map((d) => d.id).sort()).toEqual([ipId, rangeId].sort());
  });

  it('lists bouncers with their last pull and what pulled', async () => {
    const list = (await t.app.inject({ url: '/api/bouncers' })).json() as { items: { name: string; last_pull: string; user_agent: string; ip: string }[] };
    expect(list.items).toEqual([expect.objectContaining({ name: 'fw', last_pull: new Date(now).toISOString(), user_agent: 'crowdsec-firewall-bouncer/v0.0.25', ip: '127.0.0.1' })]);
  });

  it('stops a deleted bouncer\u2019s key at once', async () => {
    expect((await t.app.inject({ method: 'DELETE', url: '/api/bouncers/fw' })).statusCode).toBe(200);
    expect((await bouncer('/v1/decisions')).statusCode).toBe(403);
  });
});

describe('lists, stats and the seed shapes', () => {
  it('lists active decisions by default, everything stored with all=true', async () => {
    now += 1000;
    await add({ ip: '203.0.113.5', duration: '7d', reason: 'sqli-union-select' });
    const active = (await t.app.inject({ url: '/api/decisions' })).json() as { items: { value: string }[] };
    expect(active.items.map((d) => d.value)).toEqual(['203.0.113.5']);
    const all = (await t.app.inject({ url: '/api/decisions?all=true' })).json() as { items: { value: string; active: boolean }[] };
    expect(all.items.map((d) => [d.value, d.active])).toEqual([
      ['203.0.113.5', true],
      ['10.9.0.0/16', false],
      ['1.2.3.4', false],
    ]);
    expect(((await t.app.inject({ url: '/api/decisions?scenario=sqli-union-select' })).json() as { items: unknown[] }).items).toHaveLength(1);
    expect(((await t.app.inject({ url: '/api/decisions?origin=rampart' })).json() as { items: unknown[] }).items).toHaveLength(0);
  });

  it('counts active decisions, and the cached seed shapes move as soon as decisions change', async () => {
    const stats = (await t.app.inject({ url: '/api/decisions/stats' })).json();
    expect(stats).toEqual({ active: 1, simulated: 0, by_type: { ban: 1 }, by_origin: { manual: 1 }, by_scope: { Ip: 1 }, top_scenarios: [{ scenario: 'sqli-union-select', count: 1 }] });
    const first = (await t.app.inject({ url: '/decisions' })).json() as { count: number };
    expect(first.count).toBe(1);
    const country = (await t.app.inject({ url: '/country' })).json() as { countries: { country: string | null; decisions: number; attacks: number }[] };
    expect(country.countries.find((c) => c.country === null)?.decisions).toBe(1);
    await add({ ip: '203.0.113.6' });
    expect(((await t.app.inject({ url: '/decisions' })).json() as { count: number }).count).toBe(2);
    expect(((await t.app.inject({ url: '/api/decisions/stats' })).json() as { active: number }).active).toBe(2);
    await t.app.inject({ method: 'DELETE', url: '/api/decisions?origin=manual' });
    expect(((await t.app.inject({ url: '/decisions' })).json() as { count: number }).count).toBe(0);
  });
});
