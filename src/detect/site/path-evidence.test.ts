import { describe, expect, it } from 'vitest';
import { MAX_CLIENTS, PathEvidence, sameSize, type Served } from './path-evidence.js';
import { resolveSiteOptions } from './types.js';

const opts = resolveSiteOptions();

/** One request per client `ip0..ipN-1`, 200 with `size` bytes unless `over` says otherwise. */
function served(clients: number, size: number, over: Partial<Served> = {}): Served[] {
  return Array.from({ length: clients }, (_, i) => ({ clientHash: i + 1, status: 200, bytes: size, ownReferer: false, verifiedBot: false, time: 1000 + i, ...over }));
}

function evidence(obs: Served[], isServed = (s: number) => s < 400): PathEvidence {
  const ev = new PathEvidence();
  for (const o of obs) ev.observe(o, isServed(o.status));
  return ev;
}

describe('PathEvidence.judge', () => {
  it.each<[string, Served[], number, boolean, RegExp]>([
    ['5 clients, one size', served(5, 4000), 0, true, /known content: served 200 to 5 clients/],
    ['4 clients, one size', served(4, 4000), 0, false, /not known yet: served 200 to 4 clients/],
    ['one client 20 times', served(20, 4000, { clientHash: 7 }), 0, false, /served 200 to 1 client\b/],
    ['2 clients linked from own pages', served(2, 4000, { ownReferer: true }), 0, true, /linked from the site's own pages 2 times/],
    ['1 client linked from own pages', served(1, 4000, { ownReferer: true }), 0, false, /not known yet/],
    ['2 clients, one a verified bot', [...served(1, 4000), { ...served(1, 4000)[0]!, clientHash: 99, verifiedBot: true }], 0, true, /verified good bots 1 time/],
    ['sizes all over the place', [...served(3, 4000), ...served(3, 90_000).map((o, i) => ({ ...o, clientHash: 50 + i })), ...served(3, 300).map((o, i) => ({ ...o, clientHash: 80 + i }))], 0, false, /inconsistent sizes/],
    ['gzip and small edits within tolerance', served(6, 4000).map((o, i) => ({ ...o, bytes: 4000 + i * 150 })), 0, true, /known content/],
    ['only 404s', served(8, 300, { status: 404 }), 0, false, /never served \(8 misses\)/],
    ['only 304s', served(8, 0, { status: 304 }), 0, false, /never a 200 with a body/],
    ['empty bodies', served(8, 0), 0, false, /never a 200 with a body/],
    ['the catch-all page', served(9, 4000), 3, false, /catch-all page/],
  ])('%s', (_name, obs, catchAll, known, reason) => {
    const v = evidence(obs).judge(opts, catchAll);
    expect(v.known).toBe(known);
    expect(v.reason).toMatch(reason);
  });

  it('counts at most MAX_CLIENTS clients', () => {
    const ev = evidence(served(MAX_CLIENTS + 50, 4000));
    expect(ev.clients).toHaveLength(MAX_CLIENTS);
    expect(ev.judge(opts, 0).reason).toMatch(/or more/);
  });

  it('round-trips through JSON and rejects malformed snapshots', () => {
    const ev = evidence(served(6, 4000, { ownReferer: true }));
    ev.exposedReported = true;
    const back = PathEvidence.fromJSON(JSON.parse(JSON.stringify(ev.toJSON())))!;
    expect(back.judge(opts, 0)).toEqual(ev.judge(opts, 0));
    expect(back.exposedReported).toBe(true);
    expect(PathEvidence.fromJSON({ ...ev.toJSON(), s: 'x' })).toBeNull();
    expect(PathEvidence.fromJSON({ ...ev.toJSON(), c: 5 })).toBeNull();
    expect(PathEvidence.fromJSON(null)).toBeNull();
    expect(PathEvidence.fromJSON({ ...ev.toJSON(), c: Array.from({ length: 500 }, (_, i) => i) })!.clients).toHaveLength(MAX_CLIENTS);
  });

  it.each([
    [1000, 1000, true],
    [1000, 1349, true],
    [1349, 1000, true],
    [1000, 1400, false],
    [1000, 700, false],
  ])('sameSize(%d, %d) = %s', (a, b, same) => {
    expect(sameSize(a, b)).toBe(same);
  });
});
