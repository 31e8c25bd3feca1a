/**
 * `npm run eval`: precision/recall of the bundled rule packs on the shared development data, and the
 * false-positive rate on real benign access logs (lines the heuristic sidecar labels flag are set
 * aside and reported separately). Reads ../shared/data (or RAMPART_DATA); exits 0 when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Category, Detection } from '../src/core/detection.js';
import { bundledRulePaths, loadRulePacks, RuleEngine, newStats } from '../src/detect/rules/index.js';
import { scoreDetections } from '../src/detect/score.js';
import { parseCombined } from './combined.js';
import { buildAttackCorpus, buildHardNegatives, buildProbeCorpus, UNCOVERED, type Sample } from './corpus.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.RAMPART_DATA ?? join(here, '../../shared/data'));
const VERBOSE = process.argv.includes('--verbose');

/** Categories that count as "the right one" for a label (a traversal to /etc/passwd is both). */
const FAMILY: Partial<Record<Category, Category[]>> = {
  path_traversal: ['path_traversal', 'lfi', 'cve_probe'],
  lfi: ['lfi', 'path_traversal', 'php_injection', 'sensitive_file'],
  rfi: ['rfi', 'ssrf', 'php_injection'],
  // The rce list includes template-injection payloads from exploit templates.
  rce: ['rce', 'php_injection', 'log4shell', 'cve_probe', 'sqli', 'ssti'],
  php_injection: ['php_injection', 'lfi', 'rce', 'rfi'],
  ssrf: ['ssrf', 'rfi', 'lfi'],
  sensitive_file: ['sensitive_file', 'lfi', 'webshell'],
  webshell: ['webshell', 'sensitive_file'],
  // An XXE document that reads a file or calls out is also lfi/ssrf evidence; a php://filter inside it is
  // php_injection. The xxe list also carries fuzzdb's XML-injection list: XSS and SQLi wrapped in XML.
  xxe: ['xxe', 'lfi', 'ssrf', 'php_injection', 'xss', 'sqli'],
  // Template injection that reaches a runtime's exec primitive is also command injection.
  ssti: ['ssti', 'rce'],
  // A `javascript:` redirect target is XSS through the redirect.
  open_redirect: ['open_redirect', 'xss'],
  cve_probe: ['cve_probe', 'path_traversal', 'lfi', 'rce', 'sqli', 'xss', 'sensitive_file', 'webshell', 'log4shell', 'ssrf', 'php_injection', 'rfi'],
};

const alerting = (ds: readonly Detection[]) => ds.filter((d) => d.simulated !== true);

function pct(a: number, b: number): string {
  return b === 0 ? '   n/a' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;
}

function main(): void {
  if (!existsSync(DATA)) {
    console.log(`eval: development data not found at ${DATA} (set RAMPART_DATA); nothing to evaluate.`);
    return;
  }
  const set = loadRulePacks(bundledRulePaths());
  const engine = new RuleEngine(set);
  console.log(`rules: ${set.rules.length} from ${set.files.length} packs; data: ${DATA}\n`);

  // Attack corpus
  const samples: Sample[] = [...buildAttackCorpus(DATA), ...buildProbeCorpus(DATA)];
  // A payload with no syntax at all (a bare word such as `onAbort` or `passwd`) cannot be told apart
  // from ordinary text in a log line; recall is also reported without them.
  const bare = (p: string) => /^[\w-]{0,40}$/.test(p.trim());
  const perCat = new Map<Category, { n: number; any: number; right: number; nVisible: number; rightVisible: number; misses: string[] }>();
  const hitsByCat = new Map<Category, number>();
  for (const s of samples) {
    const ds = alerting(engine.evaluate(s.event));
    const row = perCat.get(s.label) ?? { n: 0, any: 0, right: 0, nVisible: 0, rightVisible: 0, misses: [] };
    perCat.set(s.label, row);
    row.n++;
    if (ds.length > 0) row.any++;
    const fam = FAMILY[s.label] ?? [s.label];
    const right = ds.some((d) => fam.includes(d.category));
    if (!bare(s.payload) || s.variant === 'user_agent' || s.variant === 'target') {
      row.nVisible++;
      if (right) row.rightVisible++;
    }
    if (right) row.right++;
    else if (row.misses.length < 400 && s.variant !== 'query-encoded') row.misses.push(`${s.variant}\t${s.payload.slice(0, 160)}`);
    for (const c of new Set(ds.map((d) => d.category))) hitsByCat.set(c, (hitsByCat.get(c) ?? 0) + 1);
  }

  // Benign logs
  const benignFiles = ['zanbil_ecommerce_2019_10k.log', 'internal_secops_console_nginx_2020_20k.log', 'nasa_http_jul1995_4k.log', 'film_distributor_site_2009_2011.log', 'elastic-nginx/nginx_logs'];
  let benign = 0;
  let benignFlagged = 0;
  let unparsed = 0;
  const via = { combined: 0, common: 0, fallback: 0 };
  const fpByRule = new Map<string, string[]>();
  const fpByCat = new Map<Category, number>();
  let flaggedSet = 0;
  let flaggedDetected = 0;
  const t0 = performance.now();
  const stats = newStats();
  for (const f of benignFiles) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const labelled = new Map<number, string>();
    const sidecar = path.replace(/\.log$/, '') + '.labels.jsonl';
    if (existsSync(sidecar)) {
      for (const l of readFileSync(sidecar, 'utf8').split('\n')) if (l) { const r = JSON.parse(l) as { line: number; label: string }; labelled.set(r.line, r.label); }
    }
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      if (line === '') return;
      const p = parseCombined(line);
      if (p === null) { unparsed++; return; }
      via[p.via]++;
      const ds = alerting(engine.evaluate(p.event, stats));
      const label = labelled.get(i + 1);
      if (label !== undefined) {
        flaggedSet++;
        if (label === 'attack' && ds.length > 0) flaggedDetected++;
        return;
      }
      benign++;
      if (ds.length === 0) return;
      benignFlagged++;
      for (const d of ds) {
        const list = fpByRule.get(d.ruleId) ?? [];
        if (list.length < 5) list.push(`${f}:${i + 1} ${d.field} ${JSON.stringify(d.fragment)} | ${line.slice(0, 200)}`);
        fpByRule.set(d.ruleId, list);
        fpByCat.set(d.category, (fpByCat.get(d.category) ?? 0) + 1);
      }
    });
  }
  const benignMs = performance.now() - t0;

  // Hard negatives
  const negs = buildHardNegatives(DATA);
  const negHits = negs.filter((s) => alerting(engine.evaluate(s.event)).length > 0);

  console.log('category         samples  recall(any rule)  recall(right family)  excl. bare words (n)      precision vs benign');
  for (const [cat, r] of [...perCat.entries()].sort()) {
    const tp = hitsByCat.get(cat) ?? 0;
    const fp = fpByCat.get(cat) ?? 0;
    const vis = `${pct(r.rightVisible, r.nVisible)} (${r.nVisible})`;
    console.log(`${cat.padEnd(16)} ${String(r.n).padStart(7)}  ${pct(r.any, r.n).padStart(16)}  ${pct(r.right, r.n).padStart(20)}  ${vis.padStart(20)}  ${pct(tp, tp + fp).padStart(19)}`);
  }
  const all = [...perCat.values()].reduce((a, r) => ({ n: a.n + r.n, any: a.any + r.any, v: a.v + r.nVisible, rv: a.rv + r.rightVisible }), { n: 0, any: 0, v: 0, rv: 0 });
  console.log(`${'all'.padEnd(16)} ${String(all.n).padStart(7)}  ${pct(all.any, all.n).padStart(16)}  ${''.padStart(20)}  ${`${pct(all.rv, all.v)} (${all.v})`.padStart(20)}`);
  console.log(UNCOVERED.length > 0 ? `(no rules yet for: ${UNCOVERED.join(', ')})\n` : '');
  console.log(`benign lines (unflagged by sidecar labels): ${benign}, flagged by rules: ${benignFlagged} = 1 in ${benignFlagged === 0 ? '∞' : Math.round(benign / benignFlagged)} (${pct(benignFlagged, benign).trim()})`);
  console.log(`lines set aside by sidecar labels: ${flaggedSet}; of their 'attack' lines, detected: ${flaggedDetected}`);
  console.log(`parsed by src/ingest/formats: combined ${via.combined}, common ${via.common}; by the eval fallback regex: ${via.fallback}; unparsed: ${unparsed}`);
  console.log(`hard negatives (libinjection false positives): ${negHits.length} of ${negs.length} flagged`);
  console.log(`benign throughput: ${Math.round((benign + flaggedSet) / (benignMs / 1000))} lines/s incl. parse; regex runs/line ${(stats.regexRuns / Math.max(1, benign + flaggedSet)).toFixed(3)}`);
  if (fpByRule.size > 0) {
    console.log('\nfalse positives by rule:');
    for (const [id, ex] of [...fpByRule.entries()].sort()) { console.log(`  ${id}`); for (const e of ex) console.log(`    ${e}`); }
  }
  if (negHits.length > 0) {
    console.log('\nhard negatives flagged:');
    for (const s of negHits.slice(0, 30)) console.log(`  ${JSON.stringify(s.payload)} -> ${alerting(engine.evaluate(s.event)).map((d) => d.ruleId).join(',')}`);
  }
  mixedLogs(engine);
  if (VERBOSE) {
    for (const [cat, r] of perCat) { console.log(`\nmisses ${cat}:`); for (const m of r.misses) console.log(`  ${m}`); }
  }
}

/** Logs dominated by abuse: line-level detection of labelled attack lines and IP-level coverage. */
function mixedLogs(engine: RuleEngine): void {
  console.log('\nmixed logs (sidecar labels as reference):');
  for (const f of ['mixed/scanned_server_id_2024.log', 'mixed/howto_basjes_nl_spambots_2015.log', 'mixed/l7_flood_2023.log']) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const labels = new Map<number, string>();
    const sidecar = path.replace(/\.log$/, '.labels.jsonl');
    if (existsSync(sidecar)) for (const l of readFileSync(sidecar, 'utf8').split('\n')) if (l) { const r = JSON.parse(l) as { line: number; label: string }; labels.set(r.line, r.label); }
    let attack = 0, attackHit = 0, unlabelled = 0, unlabelledHit = 0;
    const attackIps = new Set<string>(), hitIps = new Set<string>(), unlabelledHitIps = new Set<string>();
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      const p = parseCombined(line);
      if (p === null) return;
      const hit = alerting(engine.evaluate(p.event)).length > 0;
      const v = scoreDetections(engine.evaluate(p.event));
      const label = labels.get(i + 1);
      if (label === 'attack' || label === 'suspicious') { attack++; attackIps.add(p.ip); if (hit) { attackHit++; hitIps.add(p.ip); } }
      else if (label === undefined) { unlabelled++; if (hit) { unlabelledHit++; unlabelledHitIps.add(p.ip); if (VERBOSE) console.log(`   unlabelled hit ${v.category} ${line.slice(0, 160)}`); } }
    });
    console.log(`  ${f}: attack+suspicious lines ${attack}, detected ${pct(attackHit, attack)}; IPs ${attackIps.size}, detected ${pct([...attackIps].filter((ip) => hitIps.has(ip)).length, attackIps.size)}; unlabelled lines flagged ${unlabelledHit}/${unlabelled} (${unlabelledHitIps.size} IPs)`);
  }
}

main();
