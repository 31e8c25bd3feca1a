import { describe, expect, it } from 'vitest';
import {
  AhoCorasick,
  bundledRulePaths,
  explainRequest,
  loadRulePacks,
  loadRulePackText,
  MAX_FIELDS_PER_EVENT,
  newStats,
  regexProblem,
  RuleDetector,
  RuleEngine,
  RuleLoadError,
  ruleFiresOn,
  runRuleExamples,
  type EventLike,
} from './index.js';
import type { HttpEvent } from '../../core/index.js';

const set = loadRulePacks(bundledRulePaths());
const engine = new RuleEngine(set);

describe('bundled rule packs', () => {
  it('load, with at least one rule per pack and unique ids', () => {
    expect(set.files.length).toBeGreaterThanOrEqual(12);
    expect(new Set(set.rules.map((r) => r.id)).size).toBe(set.rules.length);
  });

  it.each(set.rules.map((r) => [r.id, r] as const))('%s: examples hold', (_id, rule) => {
    const report = runRuleExamples({ rules: [rule], files: [] }, engine);
    expect(report.failures).toEqual([]);
  });

  it('runRuleExamples over the whole set reports no failures', () => {
    const r = runRuleExamples(set, engine);
    expect(r.failures).toEqual([]);
    expect(r.examples).toBeGreaterThan(set.rules.length * 2);
  });
});

describe('prefilter', () => {
  const unfiltered = new RuleEngine(set, { prefilter: false });
  it.each(set.rules.map((r) => [r.id, r] as const))('%s never misses because of the prefilter', (_id, rule) => {
    for (const ex of [...rule.examples.match, ...rule.examples.noMatch]) {
      expect(ruleFiresOn(engine, rule, ex)).toBe(ruleFiresOn(unfiltered, rule, ex));
    }
    for (const ex of rule.examples.match) {
      if (typeof ex !== 'string') continue;
      const candidates = rule.fields.flatMap((key) => {
        const trace: Parameters<RuleEngine['scanField']>[4] = [];
        engine.scanField({ key, label: key, raw: ex }, new Set(), [], newStats(), trace);
        return trace.flatMap((t) => t.candidates);
      });
      expect(candidates).toContain(rule.id);
    }
  });
});

describe('AhoCorasick', () => {
  it('finds overlapping literals case-insensitively', () => {
    const ac = new AhoCorasick(['he', 'she', 'hers', 'his', 'union']);
    const found = ac.findAll('uShers UNION').map((h) => `${ac.literals[h.literal]}@${h.end}`);
    expect(found.sort()).toEqual(['he@4', 'hers@6', 'she@4', 'union@12'].sort());
  });
  it('resets on non-ASCII and rejects non-ASCII literals', () => {
    expect(new AhoCorasick(['ab']).findAll('aéb ab').length).toBe(1);
    expect(() => new AhoCorasick(['é'])).toThrow(/ASCII/);
  });

  it.each([
    [['a', 'aa', 'aaa'], 'aAaAa'],
    [['abc', 'bc', 'c', 'abcd', 'bcd'], 'xABCDabcbcd'],
    [['select', 'union select', 'elect', 'ct'], 'UNION SELECT 1 -- selected'],
    [['ab', 'ab', 'b'], 'abab'],
    [['/etc/passwd', 'passwd', 'etc/', '..'], '/../../ETC/PASSWD?etc/passwd'],
  ])('reports every occurrence of %j in %j, as a naive search does', (lits, text) => {
    const ac = new AhoCorasick(lits);
    const naive: string[] = [];
    const lower = text.toLowerCase();
    lits.forEach((l, id) => {
      for (let at = lower.indexOf(l); at !== -1; at = lower.indexOf(l, at + 1)) naive.push(`${id}@${at + l.length}`);
    });
    expect(ac.findAll(text).map((h) => `${h.literal}@${h.end}`).sort()).toEqual(naive.sort());
  });
});

describe('regex safety', () => {
  const cases: [string, boolean][] = [
    ['(a+)+', false],
    ['(.*)*', false],
    ['(?:a|b*){2,}', false],
    ['(a+){2,5}', false],
    ['(x)\\1', false],
    ['(?<n>x)\\k<n>', false],
    ['(\\.\\d{1,3}){0,3}', true],
    ['union\\s+select', true],
    ['(?:ab)+', true],
    ['[(+]+', true],
    ['(a+)?', true],
  ];
  it.each(cases)('%s safe=%s', (p, safe) => {
    expect(regexProblem(p) === null).toBe(safe);
  });
});

describe('loader errors', () => {
  const rule = (extra: string) => `pack: t
category: sqli
defaults: { fields: [args] }
rules:
  - id: test-rule
    name: Test rule
    severity: high
    confidence: 0.9
${extra}`;
  const ok = `    match: { regex: 'union\\s+select' }
    requires: [union]
    examples: { match: ['union select'] }
`;
  const load = (text: string) => () => loadRulePackText(text, 'rules/t.yaml');

  it('accepts a valid rule', () => {
    expect(loadRulePackText(rule(ok), 'rules/t.yaml')).toHaveLength(1);
  });
  it('unknown key: names file, rule and key', () => {
    expect(load(rule(ok + '    colour: red\n'))).toThrow(/rules\/t\.yaml: rule test-rule: field \(rule\): .*colour/);
  });
  it('unknown key inside match names match', () => {
    expect(load(rule(ok.replace("regex: 'union\\s+select'", "regex: 'x', flagz: 'i'")))).toThrow(/rule test-rule: field match.*flagz/);
  });
  it('missing examples', () => {
    expect(load(rule(ok.replace("    examples: { match: ['union select'] }\n", '')))).toThrow(/rule test-rule: field examples/);
  });
  it('empty match examples', () => {
    expect(load(rule(ok.replace("{ match: ['union select'] }", '{ match: [] }')))).toThrow(/field examples\.match/);
  });
  it.each(['(a+)+', '(.*)*x', '(x)\\\\1'])('dangerous regex %s', (re) => {
    expect(load(rule(ok.replace("'union\\s+select'", `'${re}'`)))).toThrow(/rule test-rule: field match\.regex: (nested quantifier|backreferences)/);
  });
  it('invalid regex', () => {
    expect(load(rule(ok.replace("'union\\s+select'", "'(unclosed'")))).toThrow(RuleLoadError);
  });
  it('regex rule without required literal or always', () => {
    expect(load(rule(ok.replace('    requires: [union]\n', '')))).toThrow(/field requires: a regex rule needs/);
  });
  it('non-ASCII literal', () => {
    expect(load(rule(ok.replace('[union]', '[ünion]')))).toThrow(/not ASCII/);
  });
  it('bad severity names the field', () => {
    expect(load(rule(ok).replace('severity: high', 'severity: huge'))).toThrow(/field severity/);
  });
  it('YAML syntax error names the file', () => {
    expect(load('pack: [')).toThrow(/rules\/t\.yaml: YAML/);
  });
  it('duplicate ids across packs', () => {
    const path = bundledRulePaths()[0] as string;
    expect(() => loadRulePacks([path, path])).toThrow(/duplicate id/);
  });
});

function httpEvent(e: Partial<EventLike>): HttpEvent {
  return {
    id: 'e', time: 0, ip: '203.0.113.9', peerIp: null, method: 'GET', host: null, path: '/', query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 0, referer: null, userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 'test', receivedAt: 0 }, ...e,
  };
}

describe('RuleDetector', () => {
  const det = new RuleDetector(set);
  it('returns detections aligned with the batch', () => {
    const out = det.detect(
      [httpEvent({ path: '/products/1' }), httpEvent({ query: 'id=1%20union%20select%201,2--' }), httpEvent({ userAgent: 'sqlmap/1.7' })],
      det.createState(),
    );
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual([]);
    expect(out[1]?.map((d) => d.ruleId)).toContain('sqli-union-select');
    expect(out[1]?.find((d) => d.ruleId === 'sqli-union-select')).toMatchObject({ category: 'sqli', field: 'arg:id' });
    expect(out[2]?.map((d) => d.category)).toEqual(['scanner']);
  });
  it('marks simulation-mode rules as simulated', () => {
    const [ds] = det.detect([httpEvent({ userAgent: 'test' })], undefined);
    expect(ds?.find((d) => d.ruleId === 'scanner-empty-or-junk-ua')?.simulated).toBe(true);
  });
  it('stays quiet on ordinary requests', () => {
    const clean = [
      httpEvent({ path: '/api/securityPosture/direction/10/rankList/attackedAssetDomain', query: 'beginTime=2020-11-19+00:00:00&endTime=2020-11-25+03:43:37&size=100' }),
      httpEvent({ path: '/filter/27|13%20%D9%85%DA%AF%D8%A7%D9%BE%DB%8C%DA%A9%D8%B3%D9%84,p53', userAgent: 'Mozilla/5.0 (Linux; Android 6.0)' }),
      httpEvent({ path: '/search', query: 'q=rock+%26+roll+%27n%27+blues&sort=price' }),
    ];
    expect(det.detect(clean, undefined).flat()).toEqual([]);
  });
});

describe('explainRequest', () => {
  it('shows normalisation steps and the fragment that fired', () => {
    const steps = explainRequest(engine, { method: 'GET', path: '/index.php', query: 'page=..%252f..%252fetc%252fpasswd', status: 200 });
    const arg = steps.find((s) => s.field === 'arg:page');
    expect(arg?.views.some((v) => v.applied.includes('urlDecode'))).toBe(true);
    expect(arg?.fired.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['traversal-dotdot-repeated', 'lfi-unix-system-file']));
  });
});

describe('pathological input stays bounded (work counted, not timed)', () => {
  const run = (e: EventLike) => {
    const stats = newStats();
    engine.evaluate(e, stats);
    return stats;
  };
  it('100 KiB URL', () => {
    const s = run({ method: 'GET', path: '/' + 'a/'.repeat(50_000), query: 'q=' + '%27'.repeat(35_000), status: 200 });
    expect(s.fields).toBeLessThanOrEqual(MAX_FIELDS_PER_EVENT);
    expect(s.bytesScanned).toBeLessThan(200_000);
    expect(s.regexRuns).toBeLessThan(200);
  });
  it('5,000 args', () => {
    const q = Array.from({ length: 5000 }, (_, i) => `a${i}=1%27%20or%20%271%27=%271`).join('&');
    const s = run({ method: 'GET', path: '/', query: q, status: 200 });
    expect(s.fields).toBeLessThanOrEqual(MAX_FIELDS_PER_EVENT);
    expect(s.regexRuns).toBeLessThan(2000);
  });
  it('20 levels of nested encoding', () => {
    let p = '../../etc/passwd';
    for (let i = 0; i < 20; i++) p = encodeURIComponent(p);
    const s = run({ method: 'GET', path: '/x', query: `f=${p}`, status: 200 });
    expect(s.bytesTransformed).toBeLessThan(200 * p.length);
    expect(s.bytesScanned).toBeLessThan(20 * p.length);
  });
  it('regex worst cases on capped fields finish with bounded runs', () => {
    const nasty = "'" + ' or'.repeat(3000) + ' 1=';
    const s = run({ method: 'GET', path: '/', query: `q=${encodeURIComponent(nasty)}`, status: 200, userAgent: '${'.repeat(4000) });
    expect(s.regexRuns).toBeLessThan(200);
  });
});

describe('fast paths', () => {
  // Same prefilter, but every transform runs on every value and every view is scanned.
  const reference = new RuleEngine(set, { fastPaths: false });
  const snippets = set.rules.flatMap((r) => [...r.examples.match, ...r.examples.noMatch]).filter((x): x is string => typeof x === 'string');
  snippets.push('Mozilla/5.0', 'a+b', 'x%20y', 'A&amp;B', 'q=rock+%26+roll', '/Static/CSS/Main.css', '/.well-known/x', 'İstanbul', '../..//x');
  const events: EventLike[] = snippets.flatMap((s, i) => {
    const enc = encodeURIComponent(s);
    const other = snippets[(i * 7 + 3) % snippets.length] as string;
    return [
      { method: 'GET', path: s.startsWith('/') ? s : `/${s}`, query: '', status: 200, userAgent: s, referer: `https://x.example/?r=${s}` },
      { method: 'POST', path: '/search', query: `q=${enc}&Page=2&${encodeURIComponent(other)}=${s.replace(/[&#]/g, '')}`, status: 404, userAgent: other },
      { method: 'GET', path: `/a/${enc}`, query: `x=${s.replace(/[&#]/g, '')}`, status: 200, host: s, headers: { 'X-Forwarded-For': s } },
    ];
  });

  it('give exactly the reference detections (rule, field, fragment, transforms)', () => {
    expect(events.length).toBeGreaterThan(500);
    let fired = 0;
    for (const e of events) {
      const got = engine.evaluate(e);
      fired += got.length;
      expect(got, JSON.stringify(e)).toEqual(reference.evaluate(e));
    }
    expect(fired).toBeGreaterThan(events.length / 2);
  }, 120_000); // ~1,900 events through two engines: 40 s at load average 30

  it('explain shows the same views and detections as the plain path', () => {
    const e: EventLike = { method: 'GET', path: '/Index.php', query: 'page=..%2F..%2Fetc%2Fpasswd&sort=Price', status: 200, userAgent: 'Mozilla/5.0 (X11)' };
    const { detections, steps } = engine.explain(e);
    expect(detections).toEqual(engine.evaluate(e));
    expect(steps.find((s) => s.field === 'path')?.views.every((v) => v.value === '/index.php')).toBe(true);
  });
});
