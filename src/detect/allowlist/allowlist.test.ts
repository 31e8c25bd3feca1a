import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../core/index.js';
import { Allowlist, AllowlistError, Glob, SimulationSet, canonicalPath, configAllowSpecs, parseProfile } from './index.js';

function ev(over: Partial<HttpEvent> = {}): HttpEvent {
  return {
    id: 'e1', time: 0, ip: '198.51.100.7', peerIp: null, method: 'GET', host: null, path: '/', query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 0, referer: null, userAgent: 'Mozilla/5.0', requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 't', receivedAt: 0 }, ...over,
  };
}

describe('Glob', () => {
  it.each([
    ['/a/*', '/a/b', true],
    ['/a/*', '/a/b/c', false],
    ['/a/**', '/a/b/c', true],
    ['/**/-/blob/**', '/g/sub/p/-/blob/main/.env', true],
    ['/**/-/blob/**', '/p/-/tree/main', false],
    ['/x?z', '/xyz', true],
    ['/x?z', '/x/z', false],
    ['/exact', '/exact', true],
    ['/exact', '/exact/more', false],
  ])('path %s vs %s → %s', (pattern, input, want) => {
    expect(new Glob(pattern, 'path').matches(input)).toBe(want);
  });

  it('in text mode * crosses slashes (rule ids like behaviour/x)', () => {
    expect(new Glob('behaviour/*', 'text').matches('behaviour/http-probing')).toBe(true);
    expect(new Glob('scanner-*', 'text').matches('scanner-sqlmap')).toBe(true);
    expect(new Glob('scanner-*', 'text').matches('sqli-x')).toBe(false);
  });

  it('treats regex metacharacters as literals and stays fast on hostile input', () => {
    expect(new Glob('/a.(b)+[c]', 'path').matches('/a.(b)+[c]')).toBe(true);
    expect(new Glob('/a.(b)+[c]', 'path').matches('/aX(b)+[c]')).toBe(false);
    const g = new Glob('/' + '*a'.repeat(100) + 'b', 'text');
    const input = '/' + 'a'.repeat(8000);
    const t = performance.now();
    expect(g.matches(input)).toBe(false);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('rejects empty and over-long patterns', () => {
    expect(() => new Glob('', 'path')).toThrow(/1\.\.256/);
    expect(() => new Glob('/' + 'a'.repeat(300), 'path')).toThrow(/1\.\.256/);
  });
});

describe('canonicalPath', () => {
  it.each([
    ['/remote.php/dav/../../etc/passwd', '/etc/passwd'],
    ['/remote.php/dav/%2e%2e/%2e%2e/etc', '/etc'],
    ['/a//b/./c/', '/a/b/c/'],
    ['/a\\..\\b', '/b'],
    ['/%252e%252e/x', '/x'],
    ['/../../..', '/'],
  ])('%s → %s', (raw, want) => expect(canonicalPath(raw)).toBe(want));
});

describe('Allowlist', () => {
  const list = new Allowlist([
    { id: 'ip', ips: ['10.0.0.0/8', '2001:db8::/32'] },
    { id: 'health', paths: ['/healthz'] },
    { id: 'glob', paths: ['/static/**/*.map'] },
    { id: 'ua', userAgents: ['UptimeRobot'] },
    { id: 'dav-probe', paths: ['/remote.php/dav'], rules: ['behaviour/http-probing'] },
    { id: 'dav-files', paths: ['/remote.php/dav/files/'], categories: ['sensitive_file'] },
    { id: 'rule-everywhere', rules: ['noisy-*'] },
  ]);

  it('allows whole events by IP/CIDR (both families), path prefix, glob and user agent', () => {
    expect(list.matches(ev({ ip: '10.1.2.3' }))).toBe(true);
    expect(list.matches(ev({ ip: '2001:db8::1' }))).toBe(true);
    expect(list.matches(ev({ ip: '11.0.0.1' }))).toBe(false);
    expect(list.matches(ev({ path: '/healthz' }))).toBe(true);
    expect(list.matches(ev({ path: '/healthz/deep' }))).toBe(true);
    expect(list.matches(ev({ path: '/healthzz' }))).toBe(false); // prefixes are segment-aligned
    expect(list.matches(ev({ path: '/static/js/app.js.map' }))).toBe(true);
    expect(list.matches(ev({ path: '/static/js/app.js' }))).toBe(false);
    expect(list.matches(ev({ userAgent: 'Mozilla/5.0+(compatible; uptimerobot/2.0)' }))).toBe(true);
    expect(list.matches(ev({ userAgent: null }))).toBe(false);
  });

  it('a path prefix cannot be ridden by traversal or encoding', () => {
    expect(list.matches(ev({ path: '/healthz/../admin' }))).toBe(false);
    expect(list.matches(ev({ path: '/remote.php/dav/%2e%2e/%2e%2e/etc/passwd' }), 'lfi-unix-system-file', 'lfi')).toBe(false);
    expect(list.matches(ev({ path: '/%68ealthz' }))).toBe(true); // an encoded spelling of the allowed path still matches
  });

  it('scoped entries allow only their rules or categories, and only where their conditions hold', () => {
    const dav = ev({ path: '/remote.php/dav/files/alice/.env' });
    expect(list.matches(dav)).toBe(false); // not event-wide
    expect(list.matches(dav, 'behaviour/http-probing')).toBe(true);
    expect(list.matches(dav, 'sensitive-dotenv', 'sensitive_file')).toBe(true);
    expect(list.matches(dav, 'sqli-union-select', 'sqli')).toBe(false);
    expect(list.matches(ev({ path: '/.env' }), 'sensitive-dotenv', 'sensitive_file')).toBe(false);
    expect(list.matches(ev({ path: '/anything' }), 'noisy-rule')).toBe(true);
    expect(list.match(dav, 'behaviour/http-probing')?.id).toBe('dav-probe');
  });

  it('counts suppressions per entry and rule, and withheld events', () => {
    const l = new Allowlist([
      { id: 'a', ips: ['10.0.0.1'] },
      { id: 'b', paths: ['/x'], rules: ['r1', 'r2'] },
    ]);
    expect(l.withhold(ev({ ip: '10.0.0.1' }))).toBe(true);
    expect(l.withhold(ev())).toBe(false);
    const allowance = l.forEvent(ev({ path: '/x/y' }));
    expect(allowance.suppress('r1')).toBe(true);
    expect(allowance.suppress('r1')).toBe(true);
    expect(allowance.suppress('r3')).toBe(false);
    expect(l.stats()).toEqual([
      { id: 'a', suppressed: 0, withheld: 1, byRule: {} },
      { id: 'b', suppressed: 2, withheld: 0, byRule: { r1: 2 } },
    ]);
    const next = new Allowlist([{ id: 'b', paths: ['/x'], rules: ['r1'] }]);
    next.adoptCounters(l);
    expect(next.stats()[0]).toMatchObject({ suppressed: 2, byRule: { r1: 2 } });
  });

  it('rejects bad entries naming the key and value', () => {
    expect(() => new Allowlist([{ id: 'detect.allowlist.ips[0]', ips: ['10.0.0.300'] }])).toThrow(/detect\.allowlist\.ips\[0\].*10\.0\.0\.300/);
    expect(() => new Allowlist([{ id: 'k', paths: ['nope'] }])).toThrow(AllowlistError);
    expect(() => new Allowlist([{ id: 'k' }])).toThrow(/at least one condition/);
    expect(() => new Allowlist([{ id: 'k', paths: ['/a'] }, { id: 'k', paths: ['/b'] }])).toThrow(/duplicate/);
  });

  it('builds one entry per config item, labelled by key', () => {
    const specs = configAllowSpecs({ ips: ['10.0.0.1'], paths: ['/a'], userAgents: ['bot'], rules: [{ id: 'r', pathPrefix: '/p' }, { id: 's' }] });
    expect(specs.map((s) => s.id)).toEqual([
      'detect.allowlist.ips[0]', 'detect.allowlist.paths[0]', 'detect.allowlist.userAgents[0]', 'detect.allowlist.rules[0]', 'detect.allowlist.rules[1]',
    ]);
    expect(specs[3]).toMatchObject({ rules: ['r'], paths: ['/p'] });
  });
});

describe('SimulationSet', () => {
  it('matches ids, globs, and scenarios with or without their prefix', () => {
    const s = new SimulationSet(['scanner-*', 'http-probing', 'sqli-union-select']);
    expect(s.has('scanner-nikto')).toBe(true);
    expect(s.has('behaviour/http-probing')).toBe(true);
    expect(s.has('sqli-union-select')).toBe(true);
    expect(s.has('sqli-tautology')).toBe(false);
  });
});

describe('parseProfile', () => {
  it('requires a scope and a reason per entry, and names the file', () => {
    const ok = 'profile: p\ndescription: d\nentries:\n  - why: because sync clients do this\n    paths: [/dav/]\n    rules: [behaviour/http-probing]\n';
    expect(parseProfile(ok, 'p.yaml', 'p')[0]).toMatchObject({ id: 'profile:p#1', paths: ['/dav/'] });
    const unscoped = 'profile: p\ndescription: d\nentries:\n  - why: because sync clients do this\n    paths: [/dav/]\n';
    expect(() => parseProfile(unscoped, 'p.yaml', 'p')).toThrow(/p\.yaml: entries\.0.*never allow a whole request/);
    expect(() => parseProfile(ok.replace('why: because sync clients do this\n    ', ''), 'p.yaml', 'p')).toThrow(/p\.yaml: entries\.0\.why/);
    expect(() => parseProfile(ok, 'p.yaml', 'q')).toThrow(/expected "q"/);
  });
});
