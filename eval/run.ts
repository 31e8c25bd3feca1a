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
import { tokeniserDetector } from '../src/detect/tokenise/index.js';
import type { EventLike } from '../src/detect/rules/index.js';
import { parseCombined, parseHttpEvent } from './combined.js';
import type { HttpEvent } from '../src/core/event.js';
import { loadConfig } from '../src/config/index.js';
import { buildDetection } from '../src/pipeline/build.js';
import { buildAttackCorpus, buildHardNegatives, buildProbeCorpus, UNCOVERED, type Sample } from './corpus.js';
import { classifyProbe, classifyScannerUa, type UaClass } from './probe-visibility.js';
import { printProbeSessions } from './probe-sessions.js';
import { HELD_OUT_BENIGN, HELD_OUT_MIXED, logSplit, type Split as DataSplit } from './split.js';
import { readSidecarLabels } from './labels.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.RAMPART_DATA ?? join(here, '../../shared/data'));
const VERBOSE = process.argv.includes('--verbose');
/** `--no-site`: the whole-engine runs without site knowledge (src/detect/site), for a paired before/after. */
const NO_SITE = process.argv.includes('--no-site');
/** `--only sqli,xss`: evaluate just these labels (the benign and hard-negative checks always run). */
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const ONLY = onlyArg === undefined ? null : new Set(onlyArg.split(','));
/** `--misses=N`: how many misses per category `--verbose` lists (400 by default). */
const MAX_MISSES = Number(process.argv.find((a) => a.startsWith('--misses='))?.slice('--misses='.length) ?? 400);

/** Categories that count as "the right one" for a label (a traversal to /etc/passwd is both). */
const FAMILY: Partial<Record<Category, Category[]>> = {
  path_traversal: ['path_traversal', 'lfi', 'cve_probe'],
  lfi: ['lfi', 'path_traversal', 'php_injection', 'sensitive_file'],
  rfi: ['rfi', 'ssrf', 'php_injection'],
  // The rce list includes template-injection payloads from exploit templates.
  rce: ['rce', 'php_injection', 'log4shell', 'cve_probe', 'sqli', 'ssti'],
  php_injection: ['php_injection', 'lfi', 'rce', 'rfi'],
  ssrf: ['ssrf', 'rfi', 'lfi'],
  // A traversal or a CVE path in a leaked-file probe list is still the right answer (`/..;/`, `/_profiler/`).
  sensitive_file: ['sensitive_file', 'lfi', 'webshell', 'path_traversal', 'cve_probe'],
  webshell: ['webshell', 'sensitive_file'],
  // An XXE document that reads a file or calls out is also lfi/ssrf evidence; a php://filter inside it is
  // php_injection. The xxe list also carries fuzzdb's XML-injection list: XSS and SQLi wrapped in XML.
  xxe: ['xxe', 'lfi', 'ssrf', 'php_injection', 'xss', 'sqli'],
  // Template injection that reaches a runtime's exec primitive is also command injection.
  ssti: ['ssti', 'rce'],
  // A `javascript:` redirect target is XSS through the redirect.
  open_redirect: ['open_redirect', 'xss'],
  // A CVE exploit is whatever injection class it uses: CRLF (`/%0d%0aSet-Cookie:`), EL/SSTI (`${7*7}`), XXE, redirect.
  cve_probe: ['cve_probe', 'path_traversal', 'lfi', 'rce', 'sqli', 'xss', 'sensitive_file', 'webshell', 'log4shell', 'ssrf', 'php_injection', 'rfi', 'crlf', 'ssti', 'xxe', 'nosqli', 'open_redirect'],
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
  const engine = lineEvaluator(new RuleEngine(set));
  console.log(`rules: ${set.rules.length} from ${set.files.length} packs; data: ${DATA}\n`);

  // Attack corpus
  const samples: Sample[] = [...buildAttackCorpus(DATA), ...buildProbeCorpus(DATA)].filter((s) => ONLY === null || ONLY.has(s.label));
  // A payload with no syntax at all (a bare word such as `onAbort` or `passwd`) cannot be told apart
  // from ordinary text in a log line; recall is also reported without them.
  // For XSS the bar is structural: script or markup cannot run without one of HTML/JS's metacharacters or
  // a URI scheme (`javascript:x`), so a payload-list line with none of them (the lists' own prose:
  // "Exploit Name: Advanced XSS Locator", an event-handler name alone) is not an attack a line can show.
  const bare = (p: string, label: Category) =>
    /^[\w-]{0,40}$/.test(p.trim()) || (label === 'xss' && !/[<>"'(){}=;&%\\`]|\b[a-z][\w+.-]{0,30}:[^\s]/i.test(p));
  const perCat = new Map<Category, { n: number; any: number; right: number; nVisible: number; rightVisible: number; misses: string[] }>();
  const hitsByCat = new Map<Category, number>();
  // Probe lists split by what one line can show (eval/probe-visibility.ts): visible attack vs endpoint-only.
  const PROBE_SPLIT = new Set<Category>(['sensitive_file', 'webshell', 'cve_probe']);
  type Split = { vis: [number, number]; end: [number, number]; byCls: Map<string, [number, number]>; visMisses: string[] };
  const split = new Map<Category, Split>();
  // Scanner user agents split by what the client is; `labelled` counts simulated detections too.
  const uaSplit = new Map<UaClass, { n: number; alerting: number; labelled: number; rules: Set<string>; misses: string[] }>();
  // Per split and label: samples and right-family detections (the honest table, eval/split.ts).
  const bySplit = new Map<string, { n: number; right: number }>();
  // The same, counting only the tokenisers' detections (src/detect/tokenise): how far syntax alone gets.
  const byTokens = new Map<string, { n: number; right: number }>();
  for (const s of samples) {
    const raw = engine.evaluate(s.event);
    const ds = alerting(raw);
    const key = `${s.split}\t${s.label}`;
    const cell = bySplit.get(key) ?? { n: 0, right: 0 };
    bySplit.set(key, cell);
    cell.n++;
    if (ds.some((d) => (FAMILY[s.label] ?? [s.label]).includes(d.category))) cell.right++;
    const tokCell = byTokens.get(key) ?? { n: 0, right: 0 };
    byTokens.set(key, tokCell);
    tokCell.n++;
    if (ds.some((d) => d.ruleId.startsWith('tokens/') && (FAMILY[s.label] ?? [s.label]).includes(d.category))) tokCell.right++;
    // Never look at the held-out part's misses (eval/split.ts): they are not even kept.
    const listMisses = s.split === 'dev';
    const row = perCat.get(s.label) ?? { n: 0, any: 0, right: 0, nVisible: 0, rightVisible: 0, misses: [] };
    perCat.set(s.label, row);
    row.n++;
    if (ds.length > 0) row.any++;
    const fam = FAMILY[s.label] ?? [s.label];
    const right = ds.some((d) => fam.includes(d.category));
    if (!bare(s.payload, s.label) || s.variant === 'user_agent' || s.variant === 'target') {
      row.nVisible++;
      if (right) row.rightVisible++;
    }
    if (right) row.right++;
    else if (listMisses && row.misses.length < MAX_MISSES && s.variant !== 'query-encoded') row.misses.push(`${s.variant}\t${s.payload.slice(0, 160)}`);
    if (PROBE_SPLIT.has(s.label) && s.source.startsWith('probes/')) {
      const c = classifyProbe(s.payload);
      const sp: Split = split.get(s.label) ?? { vis: [0, 0], end: [0, 0], byCls: new Map<string, [number, number]>(), visMisses: [] };
      split.set(s.label, sp);
      const cell = c.visible ? sp.vis : sp.end;
      cell[0]++;
      if (right) cell[1]++;
      const byCls = sp.byCls.get(c.cls) ?? [0, 0];
      byCls[0]++;
      if (right) byCls[1]++;
      sp.byCls.set(c.cls, byCls);
      if (listMisses && c.visible && !right && sp.visMisses.length < MAX_MISSES) sp.visMisses.push(`${c.cls}\t${s.payload.slice(0, 160)}`);
    }
    if (s.label === 'scanner' && s.variant === 'user_agent') {
      const u = classifyScannerUa(s.payload, s.note ?? '');
      const row = uaSplit.get(u) ?? { n: 0, alerting: 0, labelled: 0, rules: new Set<string>(), misses: [] };
      uaSplit.set(u, row);
      row.n++;
      if (ds.some((d) => d.category === 'scanner')) row.alerting++;
      if (raw.length > 0) row.labelled++;
      for (const d of raw) row.rules.add(`${d.ruleId}${d.simulated === true ? ' (simulated)' : ''}`);
      if (raw.length === 0 && row.misses.length < MAX_MISSES) row.misses.push(s.payload.slice(0, 160));
    }
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
  /** Per split: benign lines, lines flagged, and flagged lines per category. */
  const benignBySplit: Record<DataSplit, { lines: number; flagged: number; byCat: Map<Category, number> }> = {
    dev: { lines: 0, flagged: 0, byCat: new Map() },
    'held-out': { lines: 0, flagged: 0, byCat: new Map() },
  };
  let flaggedSet = 0;
  let flaggedDetected = 0;
  const t0 = performance.now();
  const stats = newStats();
  for (const f of benignFiles) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const labelled = readSidecarLabels(path);
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
      const sb = benignBySplit[logSplit(f)];
      sb.lines++;
      if (ds.length === 0) return;
      benignFlagged++;
      sb.flagged++;
      for (const c of new Set(ds.map((d) => d.category))) sb.byCat.set(c, (sb.byCat.get(c) ?? 0) + 1);
      for (const d of ds) {
        const list = fpByRule.get(d.ruleId) ?? [];
        // Examples from the development logs only: the held-out log's false positives are not looked at.
        if (list.length < 5 && logSplit(f) === 'dev') list.push(`${f}:${i + 1} ${d.field} ${JSON.stringify(d.fragment)} | ${line.slice(0, 200)}`);
        fpByRule.set(d.ruleId, list);
        fpByCat.set(d.category, (fpByCat.get(d.category) ?? 0) + 1);
      }
    });
  }
  const benignMs = performance.now() - t0;

  // Hard negatives
  const negs = buildHardNegatives(DATA);
  const negHits = negs.filter((s) => alerting(engine.evaluate(s.event)).length > 0);

  console.log('category         samples  recall(any rule)  recall(right family)  excl. no-syntax (n)        precision vs benign');
  for (const [cat, r] of [...perCat.entries()].sort()) {
    const tp = hitsByCat.get(cat) ?? 0;
    const fp = fpByCat.get(cat) ?? 0;
    const vis = `${pct(r.rightVisible, r.nVisible)} (${r.nVisible})`;
    console.log(`${cat.padEnd(16)} ${String(r.n).padStart(7)}  ${pct(r.any, r.n).padStart(16)}  ${pct(r.right, r.n).padStart(20)}  ${vis.padStart(20)}  ${pct(tp, tp + fp).padStart(19)}`);
  }
  const all = [...perCat.values()].reduce((a, r) => ({ n: a.n + r.n, any: a.any + r.any, v: a.v + r.nVisible, rv: a.rv + r.rightVisible }), { n: 0, any: 0, v: 0, rv: 0 });
  console.log(`${'all'.padEnd(16)} ${String(all.n).padStart(7)}  ${pct(all.any, all.n).padStart(16)}  ${''.padStart(20)}  ${`${pct(all.rv, all.v)} (${all.v})`.padStart(20)}`);
  console.log(UNCOVERED.length > 0 ? `(no rules yet for: ${UNCOVERED.join(', ')})\n` : '');
  if (split.size > 0) {
    console.log('probe lists split by what one log line can show (criteria in eval/probe-visibility.ts; right-family recall):');
    console.log('category          samples  recall  | visible attack (n)   | endpoint-only (n)');
    for (const [cat, sp] of [...split.entries()].sort()) {
      const n = sp.vis[0] + sp.end[0];
      console.log(`${cat.padEnd(16)} ${String(n).padStart(8)}  ${pct(sp.vis[1] + sp.end[1], n)}  | ${`${pct(sp.vis[1], sp.vis[0])} (${sp.vis[0]})`.padEnd(20)} | ${pct(sp.end[1], sp.end[0])} (${sp.end[0]})`);
    }
    for (const [cat, sp] of [...split.entries()].sort()) {
      const cells = [...sp.byCls.entries()].sort((a, b) => b[1][0] - a[1][0]).map(([c, [n, r]]) => `${c} ${r}/${n}`);
      console.log(`  ${cat}: ${cells.join(', ')}`);
    }
    console.log('');
  }
  if (uaSplit.size > 0) {
    console.log('scanner user agents by what the client is (eval/probe-visibility.ts classifyScannerUa):');
    console.log('  class              n  alerting as scanner  labelled (incl. simulated)  rules');
    for (const [u, r] of [...uaSplit.entries()].sort()) {
      console.log(`  ${u.padEnd(16)} ${String(r.n).padStart(3)}  ${pct(r.alerting, r.n).padStart(19)}  ${pct(r.labelled, r.n).padStart(26)}  ${[...r.rules].sort().join(', ')}`);
    }
    console.log('  (attack-tool and survey should alert; security-service should be labelled, never alert; not-a-scanner is the source list\'s mislabels)\n');
  }
  printHonestTable(bySplit, benignBySplit, negHits.length);
  printTokeniserRecall(byTokens);
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
  ipLevel(benignFiles);
  const probeLabels = ['sensitive_file', 'webshell', 'cve_probe'].filter((l) => ONLY === null || ONLY.has(l));
  if (probeLabels.length > 0) printProbeSessions(samples, probeLabels);
  if (VERBOSE) {
    for (const [cat, r] of perCat) { console.log(`\nmisses ${cat}:`); for (const m of r.misses) console.log(`  ${m}`); }
    for (const [cat, sp] of split) { console.log(`\nvisible misses ${cat} (class, target):`); for (const m of sp.visMisses) console.log(`  ${m}`); }
    for (const [u, r] of uaSplit) { if (r.misses.length > 0) { console.log(`\nscanner ${u} with no detection:`); for (const m of r.misses) console.log(`  ${m}`); } }
  }
}

/** A small rate, readable at 1 in 10,000: percent with three decimals. */
function rate(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(3)}%`;
}

function prf(tp: number, fp: number, fn: number): string {
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  return `${p.toFixed(3)} ${r.toFixed(3)} ${f.toFixed(3)}`;
}

/**
 * Development vs held-out (eval/split.ts), per class: line precision, recall and F1, and the benign false-positive
 * rate. A class's true positives are its samples detected with a category of its family (FAMILY); its false
 * positives are benign lines of the same split flagged with the class's own category (the development column also
 * counts the libinjection hard negatives for sqli). Precision depends on how many attack samples a split has per
 * benign line, so compare recall and the false-positive rate across columns, precision within one.
 */
function printHonestTable(
  bySplit: Map<string, { n: number; right: number }>,
  benign: Record<DataSplit, { lines: number; flagged: number; byCat: Map<Category, number> }>,
  hardNegativesFlagged: number,
): void {
  const labels = [...new Set([...bySplit.keys()].map((k) => k.split('\t')[1] as Category))].sort();
  console.log('\nhonest evaluation (eval/split.ts): line precision recall F1 | benign FP rate, per class and split');
  console.log(`  benign lines: dev ${benign.dev.lines} (flagged ${benign.dev.flagged}), held-out ${benign['held-out'].lines} (flagged ${benign['held-out'].flagged}; ${HELD_OUT_BENIGN}); mixed held-out: ${HELD_OUT_MIXED}`);
  console.log('  class              dev: n      P     R     F1    FP-rate   | held-out: n  P     R     F1    FP-rate');
  const tot: Record<DataSplit, { tp: number; fn: number }> = { dev: { tp: 0, fn: 0 }, 'held-out': { tp: 0, fn: 0 } };
  for (const c of labels) {
    const cells = (['dev', 'held-out'] as const).map((sp) => {
      const x = bySplit.get(`${sp}\t${c}`);
      if (x === undefined) return `${'-'.padStart(6)} ${''.padEnd(17)} ${''.padEnd(9)}`;
      const fp = (benign[sp].byCat.get(c) ?? 0) + (sp === 'dev' && c === 'sqli' ? hardNegativesFlagged : 0);
      tot[sp].tp += x.right;
      tot[sp].fn += x.n - x.right;
      return `${String(x.n).padStart(6)} ${prf(x.right, fp, x.n - x.right)} ${rate(benign[sp].byCat.get(c) ?? 0, benign[sp].lines).padStart(9)}`;
    });
    console.log(`  ${c.padEnd(16)} ${cells[0]}   | ${cells[1]}`);
  }
  const all = (['dev', 'held-out'] as const).map((sp) => `${String(tot[sp].tp + tot[sp].fn).padStart(6)} ${prf(tot[sp].tp, benign[sp].flagged, tot[sp].fn)} ${rate(benign[sp].flagged, benign[sp].lines).padStart(9)}`);
  console.log(`  ${'all'.padEnd(16)} ${all[0]}   | ${all[1]}\n`);
}

/** Right-family recall of the tokenisers alone, per class they fire on at all, per split. */
function printTokeniserRecall(byTokens: Map<string, { n: number; right: number }>): void {
  const labels = [...new Set([...byTokens.keys()].map((k) => k.split('\t')[1]!))].filter((c) =>
    (['dev', 'held-out'] as const).some((sp) => (byTokens.get(`${sp}\t${c}`)?.right ?? 0) > 0),
  );
  if (labels.length === 0) return;
  console.log('tokenisers alone (src/detect/tokenise), right-family recall:  dev (n)  |  held-out (n)');
  for (const c of labels.sort()) {
    const cells = (['dev', 'held-out'] as const).map((sp) => {
      const x = byTokens.get(`${sp}\t${c}`);
      return x === undefined ? '-' : `${(x.right / x.n).toFixed(3)} (${x.n})`;
    });
    console.log(`  ${c.padEnd(16)} ${cells[0]!.padStart(14)}  |  ${cells[1]!.padStart(14)}`);
  }
  console.log('');
}

/** Logs dominated by abuse: line-level detection of labelled attack lines and IP-level coverage. */
/** Per line, what `analyze` reports before behaviour: the rules' detections and the tokenisers' (src/detect/tokenise). */
interface LineEvaluator {
  evaluate(e: EventLike, stats?: ReturnType<typeof newStats>): Detection[];
}

function lineEvaluator(rules: RuleEngine): LineEvaluator {
  const tokens = tokeniserDetector();
  const state = tokens.createState();
  return {
    evaluate(e, stats) {
      const r = rules.evaluate(e, stats);
      const t = tokens.inspectEvent(e, state);
      return t.length === 0 ? r : r.concat(t);
    },
  };
}

function mixedLogs(engine: LineEvaluator): void {
  console.log('\nmixed logs (sidecar labels as reference):');
  for (const f of ['mixed/scanned_server_id_2024.log', 'mixed/howto_basjes_nl_spambots_2015.log', 'mixed/l7_flood_2023.log']) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const labels = readSidecarLabels(path);
    let attack = 0, attackHit = 0, unlabelled = 0, unlabelledHit = 0;
    const attackIps = new Set<string>(), hitIps = new Set<string>(), unlabelledHitIps = new Set<string>();
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      const p = parseCombined(line);
      if (p === null) return;
      const hit = alerting(engine.evaluate(p.event)).length > 0;
      const v = scoreDetections(engine.evaluate(p.event));
      const label = labels.get(i + 1);
      if (label === 'attack' || label === 'suspicious') { attack++; attackIps.add(p.ip); if (hit) { attackHit++; hitIps.add(p.ip); } }
      else if (label === undefined) { unlabelled++; if (hit) { unlabelledHit++; unlabelledHitIps.add(p.ip); if (VERBOSE && logSplit(f) === 'dev') console.log(`   unlabelled hit ${v.category} ${line.slice(0, 160)}`); } }
    });
    console.log(`  ${f}: attack+suspicious lines ${attack}, detected ${pct(attackHit, attack)}; IPs ${attackIps.size}, detected ${pct([...attackIps].filter((ip) => hitIps.has(ip)).length, attackIps.size)}; unlabelled lines flagged ${unlabelledHit}/${unlabelled} (${unlabelledHitIps.size} IPs)`);
  }
}


interface IpRun {
  ips: Map<string, { positive: boolean; labelled: boolean }>;
  flaggedBy: Map<string, { rules: boolean; behaviour: boolean }>;
  lines: number;
  /** Lines with no sidecar label, and how many of them the whole engine flagged (the benign-line rate). */
  unlabelledLines: number;
  unlabelledFlagged: number;
}

/**
 * One log through the whole DetectionEngine (rules + behaviour, default config, as `analyze` builds
 * it), in time order, in batches. Returns per IP: its sidecar label (positive = any line labelled
 * attack or suspicious; labelled = any label at all, unwanted_bot included) and what flagged it
 * (any detection that is not simulated, split by detector: behaviour rule ids start with `behaviour/`).
 */
function runWholeEngine(path: string, source: string): IpRun {
  const { config } = loadConfig({ env: {} });
  // As analyze builds it: site knowledge judges held hits on the whole log (released by the last flush).
  const { engine } = buildDetection(config, undefined, { site: NO_SITE ? false : { holdMs: Infinity } });
  const labels = readSidecarLabels(path);
  const ips: IpRun['ips'] = new Map();
  const flaggedBy: IpRun['flaggedBy'] = new Map();
  let batch: HttpEvent[] = [];
  let lines = 0;
  let unlabelledLines = 0;
  let unlabelledFlagged = 0;
  const flush = (last = false) => {
    const threats = last ? engine.evaluate(batch).concat(engine.releaseHeld()) : engine.evaluate(batch);
    for (const t of threats) {
      const live = t.detections.filter((d) => d.simulated !== true);
      if (live.length === 0) continue;
      if (t.event.origin.kind === 'file' && !labels.has(t.event.origin.line)) unlabelledFlagged++;
      const f = flaggedBy.get(t.event.ip) ?? { rules: false, behaviour: false };
      for (const d of live) { if (d.ruleId.startsWith('behaviour/')) f.behaviour = true; else f.rules = true; }
      flaggedBy.set(t.event.ip, f);
    }
    batch = [];
  };
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    const e = parseHttpEvent(line, source, i + 1);
    if (e === null) return;
    lines++;
    const label = labels.get(i + 1);
    if (label === undefined) unlabelledLines++;
    const row = ips.get(e.ip) ?? { positive: false, labelled: false };
    if (label === 'attack' || label === 'suspicious') row.positive = true;
    if (label !== undefined) row.labelled = true;
    ips.set(e.ip, row);
    batch.push(e);
    if (batch.length >= 1000) flush();
  });
  flush(true);
  engine.drainWindows({ flush: true });
  return { ips, flaggedBy, lines, unlabelledLines, unlabelledFlagged };
}

/**
 * IP level, rules + behaviour: on the mixed logs an IP is positive when any of its lines is labelled
 * attack or suspicious; on the ordinary benign logs, how many IPs get flagged at all (and how many of
 * those have no sidecar label, i.e. look clean to the heuristics).
 */
function ipLevel(benignFiles: readonly string[]): void {
  console.log('\nIP level, whole DetectionEngine (rules + behaviour, default config):');
  console.log('  log                                     IPs  positive  flagged  TP  FP  FN  precision  recall   (flagged by rules / behaviour / both)');
  const tot = { tp: 0, fp: 0, fn: 0 };
  for (const f of ['mixed/scanned_server_id_2024.log', 'mixed/howto_basjes_nl_spambots_2015.log', 'mixed/l7_flood_2023.log']) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const run = runWholeEngine(path, f);
    let tp = 0, fp = 0, fn = 0, pos = 0, r = 0, b = 0, both = 0;
    for (const [ip, row] of run.ips) {
      const fl = run.flaggedBy.get(ip);
      if (row.positive) pos++;
      if (fl !== undefined) { if (fl.rules && fl.behaviour) both++; else if (fl.rules) r++; else b++; }
      if (fl !== undefined && row.positive) tp++;
      else if (fl !== undefined) fp++;
      else if (row.positive) fn++;
    }
    tot.tp += tp; tot.fp += fp; tot.fn += fn;
    console.log(`  ${`${f}${logSplit(f) === 'held-out' ? ' (held-out)' : ''}`.padEnd(38)} ${String(run.ips.size).padStart(4)}  ${String(pos).padStart(8)}  ${String(run.flaggedBy.size).padStart(7)}  ${String(tp).padStart(2)}  ${String(fp).padStart(2)}  ${String(fn).padStart(2)}  ${pct(tp, tp + fp).padStart(9)}  ${pct(tp, tp + fn).padStart(6)}   (${r} / ${b} / ${both})`);
    if (VERBOSE && logSplit(f) === 'dev') {
      for (const [ip, row] of run.ips) {
        const fl = run.flaggedBy.get(ip);
        if ((fl !== undefined) !== row.positive) console.log(`     ${fl !== undefined ? 'FP' : 'FN'} ${ip}${fl ? ` (rules ${fl.rules}, behaviour ${fl.behaviour})` : ''}`);
      }
    }
  }
  console.log(`  ${'all mixed'.padEnd(38)} ${''.padStart(4)}  ${''.padStart(8)}  ${''.padStart(7)}  ${String(tot.tp).padStart(2)}  ${String(tot.fp).padStart(2)}  ${String(tot.fn).padStart(2)}  ${pct(tot.tp, tot.tp + tot.fp).padStart(9)}  ${pct(tot.tp, tot.tp + tot.fn).padStart(6)}`);
  console.log('  (a "FP" on the mixed logs is an IP the heuristic labels did not flag; the README says those labels miss most spam bots and flood IPs)');
  let allIps = 0, allFlagged = 0, cleanFlagged = 0, allLines = 0, allLinesFlagged = 0;
  for (const f of benignFiles) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const run = runWholeEngine(path, f);
    let clean = 0;
    const why: string[] = [];
    for (const [ip, fl] of run.flaggedBy) {
      if (!(run.ips.get(ip)?.labelled ?? false)) clean++;
      if (why.length < 6) why.push(`${ip}${fl.rules ? ' rules' : ''}${fl.behaviour ? ' behaviour' : ''}`);
    }
    allIps += run.ips.size; allFlagged += run.flaggedBy.size; cleanFlagged += clean;
    allLines += run.unlabelledLines; allLinesFlagged += run.unlabelledFlagged;
    const lineRate = `lines flagged ${run.unlabelledFlagged} of ${run.unlabelledLines} unlabelled (1 in ${run.unlabelledFlagged === 0 ? '∞' : Math.round(run.unlabelledLines / run.unlabelledFlagged)})`;
    console.log(`  benign ${`${f}${logSplit(f) === 'held-out' ? ' (held-out)' : ''}`.padEnd(44)} IPs ${String(run.ips.size).padStart(5)}, flagged ${String(run.flaggedBy.size).padStart(3)} (${pct(run.flaggedBy.size, run.ips.size).trim()}; ${clean} with no sidecar label); ${lineRate}${VERBOSE && logSplit(f) === 'dev' ? `: ${why.join(', ')}` : ''}`);
  }
  console.log(`  benign logs: ${allFlagged} of ${allIps} IPs flagged (${pct(allFlagged, allIps).trim()}); ${cleanFlagged} of them have no sidecar label; unlabelled lines flagged ${allLinesFlagged} of ${allLines}${NO_SITE ? ' (--no-site: without site knowledge)' : ' (with site knowledge)'}`);
}

main();
