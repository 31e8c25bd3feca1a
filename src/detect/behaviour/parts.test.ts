import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.js';
import { parseBehaviourConfig } from './config.js';
import { familyHash, LoginPathMatcher, numericLastSegment, pathExtension, refererPathHash } from './paths.js';
import { bitmapAdd, bitmapEstimate, hashString } from './sketch.js';
import { GoodBotMatcher, claimsBrowser } from './good-bots.js';
import { GOOGLEBOT, CHROME } from './testing/events.js';
import { IpTable, parseIpv4 } from './ip-table.js';

describe('numericLastSegment', () => {
  it.each([
    ['/product/34395', true],
    ['/post/12/', true],
    ['/7', true],
    ['/', false],
    ['', false],
    ['/product/', false],
    ['/product/item-34395', false],
    ['/backup2', false],
    ['/v1.2', false],
    ['/1.php', false],
    ['//', false],
  ])('%s → %s', (path, expected) => expect(numericLastSegment(path)).toBe(expected));
});

describe('config', () => {
  it('defaults every key', () => {
    const c = parseBehaviourConfig();
    expect(c.maxTrackedIps).toBe(100_000);
    expect(c.scenarios.httpProbing).toMatchObject({ enabled: true, capacity: 10, leakMs: 10_000 });
    expect(c.scenarios.bruteforce.pathSuffixes).toContain('/wp-login.php');
  });
  it.each([
    [{ maxTrackedIps: 0 }, 'behaviour.maxTrackedIps'],
    [{ scenarios: { requestFlood: { capacity: -1 } } }, 'behaviour.scenarios.requestFlood.capacity'],
    [{ scenarios: { httpProbing: { capacty: 5 } } }, 'behaviour.scenarios.httpProbing'],
    [
      { scenarios: { bruteforce: { pathSuffixes: ['login'] } } },
      'behaviour.scenarios.bruteforce.pathSuffixes.0',
    ],
  ])('rejects %o naming %s', (input, key) => {
    expect(() => parseBehaviourConfig(input)).toThrow(ConfigError);
    expect(() => parseBehaviourConfig(input)).toThrow(key);
  });
});

describe('paths', () => {
  it.each([
    ['/a/b.PNG', '.png'],
    ['/a.b/c', ''],
    ['/x.', ''],
    ['/', ''],
    ['/index.php', '.php'],
  ])('extension of %s is %j', (p, ext) => expect(pathExtension(p)).toBe(ext));

  it('families fold segments with digits', () => {
    expect(familyHash('/image/60844/productModel/200x200')).toBe(
      familyHash('/image/61474/productModel/100x100'),
    );
    expect(familyHash('/image/60844/productModel/200x200')).not.toBe(
      familyHash('/image/60844/brand/200x200'),
    );
  });

  it('a referer path hashes like the request path, without query or fragment', () => {
    expect(refererPathHash('https://shop.example/m/filter/b113?x=1#y')).toBe(hashString('/m/filter/b113'));
    expect(refererPathHash('android-app://com.x')).toBe(0);
  });

  it.each([
    ['/wp-login.php', true],
    ['/blog/wp-login.php', true],
    ['/LOGIN/', true],
    ['/mylogin', false],
    ['/login/help', false],
  ])('login endpoint %s → %s', (p, yes) => {
    expect(new LoginPathMatcher(['/wp-login.php', '/login'], []).matches(p)).toBe(yes);
  });
});

describe('sketches', () => {
  it('linear counting is close for small sets and never counts a repeat', () => {
    const arr = new Uint32Array(8);
    for (let i = 0; i < 40; i++) bitmapAdd(arr, 0, 8, hashString(`/p${i}`));
    expect(bitmapAdd(arr, 0, 8, hashString('/p3'))).toBe(false);
    expect(Math.abs(bitmapEstimate(arr, 0, 8) - 40)).toBeLessThanOrEqual(4);
  });
});

describe('good bots', () => {
  it('recognises crawler tokens case-insensitively and browsers by engine', () => {
    const m = new GoodBotMatcher();
    expect(m.tokens[m.match(GOOGLEBOT)]).toBe('Googlebot');
    expect(m.match('Mozilla/5.0 (compatible; BINGBOT/2.0)')).toBeGreaterThanOrEqual(0);
    expect(m.match(CHROME)).toBe(-1);
    expect(claimsBrowser(CHROME)).toBe(true);
    expect(claimsBrowser(GOOGLEBOT)).toBe(false);
    expect(claimsBrowser('curl/8.5.0')).toBe(false);
    expect(claimsBrowser(null)).toBe(false);
  });
});

describe('ip table', () => {
  it.each([
    ['192.0.2.1', 0xc0000201],
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['010.0.0.1', -1],
    ['1.2.3', -1],
    ['1.2.3.4.5', -1],
    ['256.1.1.1', -1],
    ['1..2.3', -1],
    ['2001:db8::1', -1],
    ['1.2.3.4 ', -1],
  ])('parseIpv4(%j) = %d', (ip, value) => expect(parseIpv4(ip)).toBe(value));

  it('finds every tracked IP, IPv4 and not, through heavy eviction churn', () => {
    const t = new IpTable(500);
    const live = new Map<string, number>();
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(rand() * 3_000);
      const ip = n % 7 === 0 ? `2001:db8::${n.toString(16)}` : `10.${n >> 8}.${n & 255}.${n % 3}`;
      if (t.find(ip) >= 0) continue;
      const victim = t.victim();
      if (victim >= 0) live.delete(t.ipOf(victim));
      live.set(ip, t.assign(ip, victim));
    }
    expect(t.tracked).toBe(500);
    for (const [ip, slot] of live) expect(t.peek(ip)).toBe(slot);
    expect(t.peek('10.200.1.1')).toBe(-1);
  });
});
