import { describe, expect, it } from 'vitest';
import {
  BotVerdictCache,
  BotVerificationScheduler,
  DnsBotVerifier,
  cleanHostName,
  createDnsBotVerification,
  inDomain,
  type DnsResolver,
} from './verifier.js';
import {
  parseBehaviourConfig,
  BehaviourDetector,
  type BotVerdict,
  type BotVerifier,
} from '../../detect/index.js';
import { GOOGLEBOT, T0, series } from '../../detect/behaviour/testing/events.js';

type Answer = string[] | { code: string } | 'hang';

/** DNS from tables; no network. An error answer rejects with its code, 'hang' never settles. */
class FakeResolver implements DnsResolver {
  readonly asked: string[] = [];
  constructor(
    private readonly ptr: Record<string, Answer> = {},
    private readonly a: Record<string, Answer> = {},
    private readonly aaaa: Record<string, Answer> = {},
  ) {}
  reverse(ip: string) {
    return this.answer(`PTR ${ip}`, this.ptr[ip]);
  }
  resolve4(name: string) {
    return this.answer(`A ${name}`, this.a[name]);
  }
  resolve6(name: string) {
    return this.answer(`AAAA ${name}`, this.aaaa[name]);
  }
  private answer(q: string, x: Answer | undefined): Promise<string[]> {
    this.asked.push(q);
    if (x === 'hang') return new Promise(() => {});
    if (x === undefined) return Promise.reject(Object.assign(new Error(q), { code: 'ENOTFOUND' }));
    if (!Array.isArray(x)) return Promise.reject(Object.assign(new Error(q), x));
    return Promise.resolve(x);
  }
}

const GIP = '66.249.66.1';
const GNAME = 'crawl-66-249-66-1.googlebot.com';

describe('host names', () => {
  it.each([
    ['crawl-66-249-66-1.googlebot.com', 'googlebot.com', true],
    ['googlebot.com', 'googlebot.com', true],
    ['evilgooglebot.com', 'googlebot.com', false],
    ['googlebot.com.evil.example', 'googlebot.com', false],
    ['xgoogle.com', 'google.com', false],
    ['msnbot-1.search.msn.com', 'search.msn.com', true],
    ['search.msn.com.attacker.net', 'search.msn.com', false],
  ])('%s in %s: %s', (name, domain, ok) => {
    expect(inDomain(name, domain)).toBe(ok);
  });

  it.each([
    ['Crawl-1.GoogleBot.COM.', 'crawl-1.googlebot.com'],
    ['a'.repeat(300) + '.googlebot.com', null],
    ['a'.repeat(64) + '.googlebot.com', null],
    ['bad name.googlebot.com', null],
    ['a..googlebot.com', null],
    ['', null],
  ])('cleans %j to %j', (raw, clean) => {
    expect(cleanHostName(raw)).toBe(clean);
  });
});

describe('DnsBotVerifier', () => {
  const cases: {
    name: string;
    ip: string;
    bot: string;
    ptr?: Record<string, Answer>;
    a?: Record<string, Answer>;
    aaaa?: Record<string, Answer>;
    verdict: BotVerdict | 'unknown';
  }[] = [
    {
      name: 'genuine Googlebot',
      ip: GIP,
      bot: 'Googlebot',
      ptr: { [GIP]: [GNAME + '.'] },
      a: { [GNAME]: ['66.249.66.9', GIP] },
      verdict: 'verified',
    },
    {
      name: 'upper-case PTR',
      ip: GIP,
      bot: 'Googlebot',
      ptr: { [GIP]: ['CRAWL-66-249-66-1.GOOGLEBOT.COM'] },
      a: { [GNAME]: [GIP] },
      verdict: 'verified',
    },
    {
      name: 'google.com fetcher',
      ip: '192.0.2.5',
      bot: 'Google-InspectionTool',
      ptr: { '192.0.2.5': ['rate-limited-proxy-192-0-2-5.google.com'] },
      a: { 'rate-limited-proxy-192-0-2-5.google.com': ['192.0.2.5'] },
      verdict: 'verified',
    },
    {
      name: 'genuine Bingbot',
      ip: '157.55.39.1',
      bot: 'bingbot',
      ptr: { '157.55.39.1': ['msnbot-157-55-39-1.search.msn.com'] },
      a: { 'msnbot-157-55-39-1.search.msn.com': ['157.55.39.1'] },
      verdict: 'verified',
    },
    {
      name: 'genuine Applebot',
      ip: '17.58.0.1',
      bot: 'Applebot',
      ptr: { '17.58.0.1': ['17-58-0-1.applebot.apple.com'] },
      a: { '17-58-0-1.applebot.apple.com': ['17.58.0.1'] },
      verdict: 'verified',
    },
    {
      name: 'genuine YandexBot',
      ip: '5.255.253.1',
      bot: 'YandexBot',
      ptr: { '5.255.253.1': ['5-255-253-1.spider.yandex.com'] },
      a: { '5-255-253-1.spider.yandex.com': ['5.255.253.1'] },
      verdict: 'verified',
    },
    {
      name: 'genuine Baiduspider',
      ip: '220.181.108.1',
      bot: 'Baiduspider',
      ptr: { '220.181.108.1': ['baiduspider-220-181-108-1.crawl.baidu.com'] },
      a: { 'baiduspider-220-181-108-1.crawl.baidu.com': ['220.181.108.1'] },
      verdict: 'verified',
    },
    {
      name: 'genuine IPv6 Googlebot (other spelling)',
      ip: '2001:4860:4801:0010:0000:0000:0000:0001',
      bot: 'Googlebot',
      ptr: { '2001:4860:4801:10::1': ['crawl-v6.googlebot.com'] },
      aaaa: { 'crawl-v6.googlebot.com': ['2001:4860:4801:10:0:0:0:1'] },
      verdict: 'verified',
    },
    {
      name: 'spoofed UA from another network',
      ip: '203.0.113.9',
      bot: 'Googlebot',
      ptr: { '203.0.113.9': ['host-9.isp.example'] },
      verdict: 'fake',
    },
    { name: 'spoofed UA, no PTR at all', ip: '203.0.113.9', bot: 'Googlebot', verdict: 'fake' },
    {
      name: 'PTR matches, forward points elsewhere',
      ip: '203.0.113.9',
      bot: 'Googlebot',
      ptr: { '203.0.113.9': [GNAME] },
      a: { [GNAME]: [GIP] },
      verdict: 'fake',
    },
    {
      name: 'PTR matches, forward name does not exist',
      ip: '203.0.113.9',
      bot: 'Googlebot',
      ptr: { '203.0.113.9': [GNAME] },
      verdict: 'fake',
    },
    {
      name: 'label-boundary trick',
      ip: '203.0.113.9',
      bot: 'Googlebot',
      ptr: { '203.0.113.9': ['evilgooglebot.com'] },
      a: { 'evilgooglebot.com': ['203.0.113.9'] },
      verdict: 'fake',
    },
    {
      name: 'suffix trick',
      ip: '203.0.113.9',
      bot: 'Googlebot',
      ptr: { '203.0.113.9': ['googlebot.com.evil.example'] },
      a: { 'googlebot.com.evil.example': ['203.0.113.9'] },
      verdict: 'fake',
    },
    {
      name: 'right domain, wrong bot',
      ip: GIP,
      bot: 'bingbot',
      ptr: { [GIP]: [GNAME] },
      a: { [GNAME]: [GIP] },
      verdict: 'fake',
    },
    {
      name: 'over-long PTR name',
      ip: '203.0.113.9',
      bot: 'Googlebot',
      ptr: { '203.0.113.9': ['a.'.repeat(140) + 'googlebot.com'] },
      verdict: 'fake',
    },
    {
      name: 'PTR server failure',
      ip: GIP,
      bot: 'Googlebot',
      ptr: { [GIP]: { code: 'ESERVFAIL' } },
      verdict: 'unknown',
    },
    {
      name: 'PTR timeout',
      ip: GIP,
      bot: 'Googlebot',
      ptr: { [GIP]: { code: 'ETIMEOUT' } },
      verdict: 'unknown',
    },
    {
      name: 'forward lookup failure',
      ip: GIP,
      bot: 'Googlebot',
      ptr: { [GIP]: [GNAME] },
      a: { [GNAME]: { code: 'ECONNREFUSED' } },
      verdict: 'unknown',
    },
    { name: 'DuckDuckBot (IP list, no rDNS)', ip: '20.191.45.212', bot: 'DuckDuckBot', verdict: 'unknown' },
    {
      name: 'facebookexternalhit (no stable rDNS)',
      ip: '31.13.64.1',
      bot: 'facebookexternalhit',
      verdict: 'unknown',
    },
    { name: 'bot missing from the table', ip: '192.0.2.1', bot: 'Twitterbot', verdict: 'unknown' },
    { name: 'not an IP', ip: 'not-an-ip', bot: 'Googlebot', verdict: 'unknown' },
  ];

  it.each(cases)('$name: $verdict', async ({ ip, bot, ptr, a, aaaa, verdict }) => {
    const v = new DnsBotVerifier(new FakeResolver(ptr, a, aaaa));
    await expect(v.verify(ip, bot)).resolves.toBe(verdict);
  });

  it('asks no DNS question for a bot without rDNS, and only the IP family for the forward check', async () => {
    const r = new FakeResolver({ [GIP]: [GNAME] }, { [GNAME]: [GIP] });
    const v = new DnsBotVerifier(r);
    await v.verify('20.191.45.212', 'DuckDuckBot');
    await v.verify(GIP, 'Googlebot');
    expect(r.asked).toEqual([`PTR ${GIP}`, `A ${GNAME}`]);
  });

  it('examines a bounded number of PTR names', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `h${i}.googlebot.com`);
    const r = new FakeResolver({ [GIP]: names }, Object.fromEntries(names.map((n) => [n, ['192.0.2.1']])));
    await expect(new DnsBotVerifier(r).verify(GIP, 'Googlebot')).resolves.toBe('fake');
    expect(r.asked.filter((q) => q.startsWith('A '))).toHaveLength(4);
  });
});

describe('BotVerdictCache', () => {
  it('reports conclusive verdicts until their TTL, inconclusive ones only through has()', () => {
    let now = 0;
    const c = new BotVerdictCache({ maxEntries: 10, ttlMs: 1_000, retryMs: 100, now: () => now });
    c.set('192.0.2.1', 'verified');
    c.set('192.0.2.2', 'fake');
    c.set('192.0.2.3', 'unknown');
    expect([c.get('192.0.2.1'), c.get('192.0.2.2'), c.get('192.0.2.3'), c.get('192.0.2.4')]).toEqual([
      'verified',
      'fake',
      undefined,
      undefined,
    ]);
    expect([c.has('192.0.2.3'), c.has('192.0.2.4')]).toEqual([true, false]);
    now = 100;
    expect(c.has('192.0.2.3')).toBe(false);
    expect(c.get('192.0.2.1')).toBe('verified');
    now = 1_000;
    expect([c.get('192.0.2.1'), c.get('192.0.2.2')]).toEqual([undefined, undefined]);
    expect(c.size).toBe(0);
  });

  it('never holds more than maxEntries, evicting the oldest', () => {
    const c = new BotVerdictCache({ maxEntries: 3, ttlMs: 1_000, retryMs: 100, now: () => 0 });
    for (let i = 1; i <= 5; i++) c.set(`192.0.2.${i}`, 'verified');
    expect(c.size).toBe(3);
    expect([1, 2, 3, 4, 5].map((i) => c.get(`192.0.2.${i}`))).toEqual([
      undefined,
      undefined,
      'verified',
      'verified',
      'verified',
    ]);
    c.set('192.0.2.3', 'fake'); // refreshed: now the newest
    c.set('192.0.2.6', 'verified');
    expect([3, 4, 5, 6].map((i) => c.get(`192.0.2.${i}`))).toEqual([
      'fake',
      undefined,
      'verified',
      'verified',
    ]);
  });
});

/** A verifier whose answers the test releases by hand. */
class ManualVerifier implements BotVerifier {
  readonly calls: {
    ip: string;
    bot: string;
    signal?: AbortSignal;
    resolve: (v: BotVerdict | 'unknown') => void;
    reject: (e: unknown) => void;
  }[] = [];
  active = 0;
  maxActive = 0;
  verify(ip: string, bot: string, signal?: AbortSignal): Promise<BotVerdict | 'unknown'> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    return new Promise<BotVerdict | 'unknown'>((resolve, reject) => {
      this.calls.push({ ip, bot, signal, resolve, reject });
    }).finally(() => this.active--);
  }
}

function scheduler(
  verifier: BotVerifier,
  opts: Partial<{ concurrency: number; timeoutMs: number; maxPending: number }> = {},
) {
  const cache = new BotVerdictCache({ maxEntries: 100, ttlMs: 60_000, retryMs: 1_000 });
  return new BotVerificationScheduler(verifier, cache, {
    concurrency: 2,
    timeoutMs: 10_000,
    maxPending: 100,
    ...opts,
  });
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('BotVerificationScheduler', () => {
  it('deduplicates per IP, caps concurrency, and fills the cache', async () => {
    const v = new ManualVerifier();
    const s = scheduler(v, { concurrency: 2 });
    for (let round = 0; round < 3; round++)
      for (let i = 1; i <= 5; i++) s.onBotClaim(`192.0.2.${i}`, 'Googlebot');
    expect(v.calls.map((c) => c.ip)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(s.stats()).toMatchObject({ requested: 5, pending: 3, inFlight: 2 });
    while (v.calls.length > 0) {
      const c = v.calls.shift()!;
      c.resolve(c.ip.endsWith('.1') ? 'fake' : 'verified');
      await tick();
      expect(v.active).toBeLessThanOrEqual(2);
    }
    await s.idle();
    expect(v.maxActive).toBe(2);
    expect([1, 2, 3, 4, 5].map((i) => s.cache.get(`192.0.2.${i}`))).toEqual([
      'fake',
      'verified',
      'verified',
      'verified',
      'verified',
    ]);
    s.onBotClaim('192.0.2.1', 'Googlebot'); // cached: not asked again
    expect(v.calls).toHaveLength(0);
    expect(s.stats()).toMatchObject({
      requested: 5,
      verified: 4,
      fake: 1,
      unknown: 0,
      pending: 0,
      inFlight: 0,
    });
  });

  it('turns a timeout into unknown and aborts the verification', async () => {
    const v = new ManualVerifier();
    const s = scheduler(v, { timeoutMs: 20 });
    s.request('192.0.2.1', 'Googlebot');
    await s.idle();
    expect(v.calls[0]!.signal?.aborted).toBe(true);
    expect(s.cache.has('192.0.2.1')).toBe(true);
    expect(s.cache.get('192.0.2.1')).toBeUndefined();
    expect(s.stats().unknown).toBe(1);
  });

  it('turns verifier errors (rejected or thrown) into unknown without throwing', async () => {
    const thrower: BotVerifier = {
      verify: () => {
        throw new Error('boom');
      },
    };
    const s1 = scheduler(thrower);
    expect(() => s1.onBotClaim('192.0.2.1', 'Googlebot')).not.toThrow();
    await s1.idle();
    expect(s1.stats().unknown).toBe(1);
    const v = new ManualVerifier();
    const s2 = scheduler(v);
    s2.onBotClaim('192.0.2.2', 'Googlebot');
    v.calls[0]!.reject(new Error('nope'));
    await s2.idle();
    expect(s2.stats()).toMatchObject({ unknown: 1, inFlight: 0 });
  });

  it('drops claims past maxPending and ignores claims after close()', async () => {
    const v = new ManualVerifier();
    const s = scheduler(v, { concurrency: 1, maxPending: 2 });
    for (let i = 1; i <= 5; i++) s.onBotClaim(`192.0.2.${i}`, 'Googlebot');
    expect(s.stats()).toMatchObject({ requested: 3, dropped: 2, pending: 2, inFlight: 1 });
    await s.close();
    expect(v.calls[0]!.signal?.aborted).toBe(true);
    s.onBotClaim('192.0.2.9', 'Googlebot');
    expect(s.stats()).toMatchObject({ pending: 0, inFlight: 0 });
    expect(v.calls).toHaveLength(1);
  });

  it('times out a hanging resolver end to end', async () => {
    const r = new FakeResolver({ [GIP]: 'hang' });
    const bv = createDnsBotVerification(
      { dns: { ...parseBehaviourConfig().goodBots.dns, timeoutMs: 20 } },
      { resolver: r },
    );
    bv.onBotClaim(GIP, 'Googlebot');
    await bv.scheduler.idle();
    expect(bv.stats()).toMatchObject({ unknown: 1, cached: 1 });
    await bv.close();
  });
});

describe('detector with DNS verification', () => {
  it('labels a confirmed Googlebot KNOWN_BOT and a spoofed one not', async () => {
    const FAKE_IP = '203.0.113.66';
    const r = new FakeResolver({ [GIP]: [GNAME], [FAKE_IP]: ['dsl-66.isp.example'] }, { [GNAME]: [GIP] });
    const config = { goodBots: { verifyDns: true, requireVerified: true } };
    const bv = createDnsBotVerification(parseBehaviourConfig(config).goodBots, { resolver: r });
    const d = new BehaviourDetector(config, { botVerdicts: bv.botVerdicts, onBotClaim: bv.onBotClaim });
    const st = d.createState();
    const crawl = (ip: string, start: number) =>
      series(150, start, 300, (i) => ({ ip, path: `/p/${i}`, userAgent: GOOGLEBOT }));

    // The first request of each IP reports the claim; the verdicts land off the hot path.
    d.detect([...crawl(GIP, T0).slice(0, 1), ...crawl(FAKE_IP, T0).slice(0, 1)], st);
    expect(bv.stats()).toMatchObject({ requested: 2 });
    await bv.scheduler.idle();
    expect([bv.botVerdicts.get(GIP), bv.botVerdicts.get(FAKE_IP)]).toEqual(['verified', 'fake']);

    const later = T0 + 60_000;
    const genuine = d.detect(crawl(GIP, later), st).flat();
    const spoofed = d.detect(crawl(FAKE_IP, later), st).flat();
    expect(genuine).toEqual([]);
    expect(spoofed.map((x) => x.ruleId)).toEqual(['behaviour/aggressive-crawl']);
    st.flush();
    const levels = Object.fromEntries(
      st.drainClosedWindows().map((w) => [w.ip + '@' + w.start, w.threatLevel]),
    );
    expect(
      Object.entries(levels)
        .filter(([k]) => k.startsWith(GIP))
        .map(([, v]) => v),
    ).toContain('KNOWN_BOT');
    expect(
      Object.entries(levels)
        .filter(([k]) => k.startsWith(FAKE_IP))
        .map(([, v]) => v),
    ).not.toContain('KNOWN_BOT');
    expect(bv.stats().requested).toBe(2); // verdicts cached: no further look-ups
    await bv.close();
  });

  it('does not call onBotClaim for non-bots or IPs with a verdict', () => {
    const claims: string[] = [];
    const d = new BehaviourDetector(
      {},
      {
        botVerdicts: new Map([['192.0.2.1', 'verified' as const]]),
        onBotClaim: (ip, bot) => claims.push(`${ip} ${bot}`),
      },
    );
    const st = d.createState();
    d.detect(
      [
        ...series(2, T0, 1_000, () => ({ ip: '192.0.2.1', userAgent: GOOGLEBOT })),
        ...series(2, T0, 1_000, () => ({ ip: '192.0.2.2', userAgent: 'curl/8.5.0' })),
        ...series(1, T0, 1_000, () => ({
          ip: '192.0.2.3',
          userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0)',
        })),
      ],
      st,
    );
    expect(claims).toEqual(['192.0.2.3 bingbot']);
  });
});
