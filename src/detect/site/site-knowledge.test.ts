/**
 * Site knowledge with the shipped rules, through the DetectionEngine as the pipeline runs it: a site's own files
 * stop being probes, probes and leaks stay what they are. Traffic is written from the descriptions of issue #10.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, ThreatEvent } from '../../core/index.js';
import { DetectionEngine } from '../engine.js';
import { RuleDetector, bundledRulePaths, loadRulePacks, type RuleSet } from '../rules/index.js';
import { SiteKnowledge, EXPOSED_FILE_RULE, UNSERVED_SCRIPT_RULE, type SiteKnowledgeDeps } from './site-knowledge.js';
import type { SiteKnowledgeOptions } from './types.js';

let rules: RuleSet;
beforeAll(() => {
  rules = loadRulePacks(bundledRulePaths());
});

let seq = 0;
const T0 = Date.UTC(2026, 0, 5, 10);

function req(path: string, over: Partial<HttpEvent> = {}): HttpEvent {
  seq++;
  return {
    id: `e${seq}`, time: T0 + seq * 1000, ip: '198.51.100.7', peerIp: null, method: 'GET', host: null, path, query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 5120, referer: null, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0', requestTime: null,
    ja4: null, ja4h: null, headers: null, origin: { kind: 'api', source: 't', receivedAt: 0 }, ...over,
  };
}

/** `n` different clients fetch `path`, each answered like `over` says. */
function clients(n: number, path: string, over: Partial<HttpEvent> = {}, first = 1): HttpEvent[] {
  return Array.from({ length: n }, (_, i) => req(path, { ip: `203.0.113.${first + i}`, ...over }));
}

function run(events: HttpEvent[], opts: SiteKnowledgeOptions = {}, deps: SiteKnowledgeDeps = {}) {
  const site = new SiteKnowledge({ holdMs: Infinity, ...opts }, deps);
  const engine = new DetectionEngine([new RuleDetector(rules)], {}, site);
  const threats: ThreatEvent[] = [];
  for (let i = 0; i < events.length; i += 7) threats.push(...engine.evaluate(events.slice(i, i + 7)));
  threats.push(...engine.releaseHeld());
  return { threats, site, engine };
}

const ruleIds = (ts: ThreatEvent[]) => ts.flatMap((t) => t.detections.map((d) => d.ruleId));

describe('site knowledge: the site\'s own content is not a probe', () => {
  it.each<[string, HttpEvent[]]>([
    ['a .c file on a programming blog, fetched by 8 readers', clients(8, '/code/quicksort.c', { bytes: 2314 })],
    ['a sample log linked from a tutorial (2 readers, own Referer)', clients(2, '/tutorials/nginx/sample-access.log', { host: 'blog.example.org', referer: 'https://blog.example.org/tutorials/nginx/' })],
    ['a directory whose name ends in .backup/', clients(6, '/photos.backup/', { bytes: 48_000 })],
    ['a shell script offered for download, fetched by a verified good bot and a reader', [req('/downloads/install.sh', { ip: '66.249.66.1' }), req('/downloads/install.sh', { ip: '203.0.113.9' })]],
    ['a deploy.yml shown in a CI tutorial, with 304 revalidations', [...clients(5, '/ci/deploy.yml', { bytes: 900 }), ...clients(3, '/ci/deploy.yml', { status: 304, bytes: 0 }, 40)]],
  ])('%s', (_name, events) => {
    const verified = { get: (ip: string) => (ip === '66.249.66.1' ? ('verified' as const) : undefined) };
    const { threats, site } = run(events, {}, { botVerdicts: verified });
    expect(ruleIds(threats)).toEqual([]);
    expect(site.counters.overruled).toBeGreaterThan(0);
  });

  it('learns the own host of a log without hosts from its Referers', () => {
    const browsing = Array.from({ length: 200 }, (_, i) => req(`/page/${i}`, { ip: `192.0.2.${i % 50}`, referer: 'http://howto.example.net/page/0', bytes: 9000 }));
    const linked = clients(2, '/files/example.conf', { referer: 'http://howto.example.net/setup.html' });
    const { threats, site } = run([...browsing, ...linked]);
    expect(ruleIds(threats)).toEqual([]);
    expect(site.verdict(null, '/files/example.conf')!.reason).toMatch(/linked from the site's own pages 2 times/);
  });

  it('says why in words (what explain shows)', () => {
    const { site } = run(clients(37, '/code/main.c'));
    expect(site.verdict(null, '/code/main.c')).toEqual({ known: true, reason: 'known content: served 200 to 37 clients' });
    expect(site.verdict(null, '/never/seen.c')).toBeNull();
  });
});

describe('site knowledge: probes and leaks stay what they are', () => {
  it('a miss on a well-known probe path by one client among many probes is a probe, even where the name is content elsewhere', () => {
    const content = clients(10, '/backup.zip', { bytes: 1_000_000, host: 'a.example' });
    const probe = [req('/backup.zip', { status: 404, bytes: 150, host: 'b.example', ip: '192.0.2.66' }), req('/db.sql', { status: 404, bytes: 150, host: 'a.example', ip: '192.0.2.66' })];
    const { threats } = run([...content, ...probe]);
    expect(threats.map((t) => t.event.ip)).toEqual(['192.0.2.66', '192.0.2.66']);
  });

  it('a 404 on a path the site serves to others is still a probe', () => {
    const { threats } = run([...clients(6, '/code/a.c'), req('/code/a.c', { status: 404, bytes: 100, ip: '192.0.2.5' })]);
    expect(threats).toHaveLength(1);
    expect(threats[0]!.event.status).toBe(404);
  });

  it.each([
    ['/.env', 'sensitive-dotenv'],
    ['/.git/config', 'sensitive-vcs-metadata'],
    ['/.aws/credentials', 'sensitive-credentials-file'],
  ])('%s answered 200 to many clients is a critical leak, every time', (path, rule) => {
    const { threats } = run(clients(7, path, { bytes: 700 }));
    expect(threats).toHaveLength(7);
    for (const t of threats) {
      const d = t.detections.find((x) => x.ruleId === rule)!;
      expect(d.severity).toBe('critical');
      expect(d.detail).toMatch(/answered 200 with 700 bytes: the file is exposed/);
    }
  });

  it('leak names answered 404 stay medium probes', () => {
    const { threats } = run([req('/.env', { status: 404, bytes: 150 })]);
    expect(threats[0]!.severity).toBe('medium');
  });

  it('a catch-all page answering 200 for every name is not content', () => {
    const scan = ['/backup.zip', '/db.sql', '/config.php.bak', '/error.log', '/site.tar.gz', '/deploy.sh'].flatMap((p) =>
      clients(6, p, { bytes: 3377, userAgent: 'Mozilla/5.0 zgrab' }),
    );
    const { threats, site } = run(scan);
    expect(threats).toHaveLength(36);
    expect(site.verdict(null, '/deploy.sh')!.reason).toMatch(/catch-all page/);
  });

  it('a file served to one client only is reported once the hold ends', () => {
    const { threats, site } = run([req('/backup.zip', { bytes: 80_000 })]);
    expect(ruleIds(threats)).toContain('sensitive-backup-or-dump');
    expect(site.counters.releasedAsProbe).toBe(1);
  });

  it('never holds a line with another detection', () => {
    const { threats, site } = run([req('/code/x.c', { query: "id=1' UNION SELECT password FROM users--" })]);
    expect(site.counters.held).toBe(0);
    expect(threats).toHaveLength(1);
  });
});

describe('site knowledge: scripts of a language the site does not run', () => {
  it('a 404 on a PHP script of a site that serves no PHP is a low scanner line, reported when the hold ends', () => {
    const { threats } = run([req('/index.html'), req('/upl.php', { status: 404, bytes: 153 }), req('/about.html')]);
    expect(ruleIds(threats)).toEqual([UNSERVED_SCRIPT_RULE]);
    expect(threats[0]).toMatchObject({ severity: 'low', category: 'scanner' });
    expect(threats[0]!.detections[0]!.detail).toBe('404 on a php script: the site has served no php script to anyone');
  });

  it('is dropped when the site serves a script of that family before the hold ends, even after the miss', () => {
    const { threats, site } = run([req('/old-page.php', { status: 404 }), req('/index.php'), req('/wp-login.aspx', { status: 404 })]);
    expect(threats.map((t) => t.event.path)).toEqual(['/wp-login.aspx']);
    expect(site.counters.scriptsServed).toBe(1);
  });

  it('is never raised on a site that serves the family, nor on a miss that is no script, nor beside another rule', () => {
    const php = run([req('/index.php'), req('/gone.PHP5', { status: 404 }), req('/x.jsp', { status: 404 })]);
    expect(php.threats.map((t) => t.event.path)).toEqual(['/x.jsp']);
    expect(run([req('/missing.html', { status: 404 }), req('/file.pdf', { status: 410 }), req('/report.php', { status: 500 })]).threats).toEqual([]);
    const webshell = run([req('/c99.php', { status: 404 })]).threats;
    expect(ruleIds(webshell)).not.toContain(UNSERVED_SCRIPT_RULE);
  });

  it('knows each site apart, and keeps what it learned across a restart', () => {
    const { site } = run([req('/index.php', { host: 'a.example' })]);
    const restored = new SiteKnowledge({ holdMs: Infinity });
    restored.restore(JSON.parse(JSON.stringify(site.snapshot())));
    const engine = new DetectionEngine([new RuleDetector(rules)], {}, restored);
    expect(engine.evaluate([req('/contact.php', { host: 'a.example', status: 404 }), req('/contact.php', { host: 'b.example', status: 404 })])).toEqual([]);
    expect(engine.releaseHeld().map((t) => t.event.host)).toEqual(['b.example']);
  });
});

describe('site knowledge: held hits and bounds', () => {
  it('live: a held hit comes out of a later batch once holdMs of event time has passed', () => {
    const site = new SiteKnowledge({ holdMs: 60_000 });
    const engine = new DetectionEngine([new RuleDetector(rules)], {}, site);
    const first = req('/old/index.php.bak', { time: T0 });
    expect(engine.evaluate([first])).toEqual([]);
    expect(engine.evaluate([req('/home', { time: T0 + 30_000 })])).toEqual([]);
    const late = engine.evaluate([req('/home', { time: T0 + 61_000 })]);
    expect(late.map((t) => t.event.id)).toEqual([first.id]);
    expect(site.heldCount).toBe(0);
  });

  it('live: hits held while a file becomes known are dropped', () => {
    const site = new SiteKnowledge({ holdMs: 60_000 });
    const engine = new DetectionEngine([new RuleDetector(rules)], {}, site);
    const out = [...engine.evaluate(clients(5, '/code/b.c')), ...engine.evaluate([req('/home', { time: T0 + 10 * 60_000 })])];
    expect(out).toEqual([]);
  });

  it('holds at most maxHeld hits: the oldest is judged and released', () => {
    const { site, engine } = run([], { maxHeld: 3 });
    const released = engine.evaluate(['/a.c', '/b.c', '/c.c', '/d.c', '/e.c'].map((p) => req(p)));
    expect(released).toHaveLength(2);
    expect(site.heldCount).toBe(3);
  });

  it('keeps at most maxPathsPerSite paths and maxSites sites', () => {
    const events = Array.from({ length: 50 }, (_, i) => req(`/f${i}.c`, { host: `s${i % 5}.example` }));
    const { site } = run(events, { maxPathsPerSite: 4, maxSites: 3 });
    const snap = site.snapshot();
    expect(snap).toHaveLength(3);
    for (const s of snap) expect(s.state.paths.length).toBeLessThanOrEqual(4);
  });

  it('reports known secret-kind content once per path as an exposed file', () => {
    const { threats } = run(clients(9, '/exports/dump.sql', { bytes: 52_000 }));
    expect(ruleIds(threats)).toEqual([EXPOSED_FILE_RULE]);
    expect(threats[0]!.severity).toBe('low');
    expect(threats[0]!.detections[0]!.detail).toMatch(/exposed file, reported once: known content: served 200 to 5 clients/);
  });

  it('tracked (serve): hands the held hits to the store, then the ids of those judged; a restart takes them back', () => {
    const site = new SiteKnowledge({ holdMs: 60_000 });
    site.trackHeld();
    const engine = new DetectionEngine([new RuleDetector(rules)], {}, site);
    const first = req('/notes/setup.log', { time: T0 });
    expect(engine.evaluate([first])).toEqual([]);
    const held = engine.takeHeldChanges()!;
    expect(held.hold.map((t) => t.event.id)).toEqual([first.id]);
    expect(held.settle).toEqual([]);
    expect(engine.takeHeldChanges()).toBeNull();

    // The process dies holding it; the next one restores it from the store and reports it when it comes due.
    const next = new SiteKnowledge({ holdMs: 60_000 });
    next.trackHeld();
    expect(next.restoreHeld(JSON.parse(JSON.stringify(held.hold)) as unknown[])).toBe(1);
    const engine2 = new DetectionEngine([new RuleDetector(rules)], {}, next);
    const late = engine2.evaluate([req('/home', { time: T0 + 61_000 })]);
    expect(late.map((t) => t.event.id)).toEqual([first.id]);
    expect(engine2.takeHeldChanges()).toEqual({ hold: [], settle: [first.id] });
  });

  it('untracked (analyze): takes no changes', () => {
    const { engine, site } = run([req('/notes/setup.log')]);
    expect(site.heldCount).toBe(0);
    expect(engine.takeHeldChanges()).toBeNull();
  });

  it('survives a restart through its snapshot', () => {
    const { site } = run(clients(6, '/code/c.c'));
    const restored = new SiteKnowledge({ holdMs: Infinity });
    restored.restore(JSON.parse(JSON.stringify(site.snapshot())));
    const engine = new DetectionEngine([new RuleDetector(rules)], {}, restored);
    expect(engine.evaluate([req('/code/c.c', { ip: '192.0.2.200' })])).toEqual([]);
    expect(engine.releaseHeld()).toEqual([]);
    restored.restore([{ site: 'x', state: { paths: [['/p', { bogus: 1 }]], sizes: 'no', refHosts: [[1, 2]] } } as never]);
    expect(restored.verdict('x', '/p')).toBeNull();
  });
});
