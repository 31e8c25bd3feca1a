/**
 * `npm run eval:ip`: line and IP precision / recall / F1 and the benign false-positive rate of the whole engine (rules
 * and behaviour, default config, as `analyze` builds it) on the real logs, in two columns: development and held-out
 * (eval/split.ts). Reference: the sidecar labels; a line labelled attack or suspicious is positive, an IP is positive
 * when any of its lines is. Lines labelled unwanted_bot (a declared crawler the labeller dislikes) are set aside, as
 * in `npm run eval`. Two IP measures:
 * - "any line": an IP is flagged when any of its lines is (what `npm run eval`'s IP table reports);
 * - "verdict": the per-IP incident verdict of src/detect/incident (what `analyze` prints as `{"type":"ip"}` objects):
 *   one certain line, or several distinct weak signals; a single weak line does not flag its IP.
 * `--verbose` lists the development logs' IP disagreements; the held-out logs are only counted, never listed.
 * Reads ../shared/data (or RAMPART_DATA); exits 0 when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpEvent } from '../src/core/event.js';
import { isSimulatedOnly, type ThreatEvent } from '../src/core/detection.js';
import { loadConfig } from '../src/config/index.js';
import { IpIncidents } from '../src/detect/incident/index.js';
import { buildDetection } from '../src/pipeline/build.js';
import { parseHttpEvent } from './combined.js';
import { logSplit, type Split } from './split.js';
import { readSidecarLabels } from './labels.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.RAMPART_DATA ?? join(here, '../../shared/data'));
const VERBOSE = process.argv.includes('--verbose');
/** Abuse-dominated logs (positives and negatives) and ordinary benign logs (false positives only, bar a few labels). */
const MIXED = ['mixed/scanned_server_id_2024.log', 'mixed/howto_basjes_nl_spambots_2015.log', 'mixed/l7_flood_2023.log'];
const BENIGN = ['zanbil_ecommerce_2019_10k.log', 'internal_secops_console_nginx_2020_20k.log', 'nasa_http_jul1995_4k.log', 'elastic-nginx/nginx_logs', 'film_distributor_site_2009_2011.log'];

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  /** Negatives (lines or IPs), for the false-positive rate. */
  neg: number;
}

interface LogRun {
  lines: Counts;
  anyLine: Counts;
  verdict: Counts;
  /** Development only: IPs where the verdict disagrees with the labels. */
  disagreements: string[];
}

const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0, neg: 0 });

function count(c: Counts, flagged: boolean, positive: boolean): void {
  if (positive) {
    if (flagged) c.tp++;
    else c.fn++;
  } else {
    c.neg++;
    if (flagged) c.fp++;
  }
}


/** The log through the whole DetectionEngine in batches of 1,000, threats into IpIncidents. */
function run(path: string, source: string, split: Split): LogRun {
  const { config } = loadConfig({ env: {} });
  const { engine } = buildDetection(config, undefined, { site: { holdMs: Infinity } });
  const labels = readSidecarLabels(path);
  const lines = zero();
  const positive = new Map<string, boolean>();
  const anyLine = new Set<string>();
  const incidents = new IpIncidents();
  let batch: { e: HttpEvent; label: string | undefined }[] = [];
  // Lines are counted at the end: a hit site knowledge held back comes out of a later batch, or of releaseHeld.
  const seen: { id: string; label: string | undefined }[] = [];
  const flaggedIds = new Set<string>();
  const take = (threats: ThreatEvent[]) => {
    for (const t of threats)
      if (t.score > 0 && !isSimulatedOnly(t)) {
        anyLine.add(t.event.ip);
        flaggedIds.add(t.event.id);
      }
    incidents.add(threats);
  };
  const flush = () => {
    take(engine.evaluate(batch.map((b) => b.e)));
    for (const b of batch) seen.push({ id: b.e.id, label: b.label });
    batch = [];
  };
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      const e = parseHttpEvent(line, source, i + 1);
      if (e === null) return;
      const label = labels.get(i + 1);
      positive.set(e.ip, (positive.get(e.ip) ?? false) || label === 'attack' || label === 'suspicious');
      batch.push({ e, label });
      if (batch.length >= 1000) flush();
    });
  flush();
  // The hits site knowledge still holds are judged on the whole log, as analyze does.
  take(engine.releaseHeld());
  for (const b of seen) if (b.label !== 'unwanted_bot') count(lines, flaggedIds.has(b.id), b.label === 'attack' || b.label === 'suspicious');
  const verdicts = new Map<string, string>();
  for (const v of incidents.verdicts()) if (v.flagged) verdicts.set(v.ip, `${v.category} ${v.score.toFixed(2)} lines ${v.lines}`);
  const out: LogRun = { lines, anyLine: zero(), verdict: zero(), disagreements: [] };
  for (const [ip, pos] of positive) {
    count(out.anyLine, anyLine.has(ip), pos);
    count(out.verdict, verdicts.has(ip), pos);
    if (split === 'dev' && pos !== verdicts.has(ip)) out.disagreements.push(`${pos ? 'FN' : 'FP'} ${ip} ${verdicts.get(ip) ?? (anyLine.has(ip) ? '(lines flagged, verdict not)' : '')}`);
  }
  return out;
}

function add(a: Counts, b: Counts): void {
  a.tp += b.tp;
  a.fp += b.fp;
  a.fn += b.fn;
  a.neg += b.neg;
}

/** "P R F1" of a count, or dashes when it has no positives. */
export function prf(c: Counts): string {
  if (c.tp + c.fn === 0) return '    -     -     -';
  const p = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const r = c.tp / (c.tp + c.fn);
  const f = p + r === 0 ? 0 : (2 * p * r) / (p + r);
  return `${p.toFixed(3)} ${r.toFixed(3)} ${f.toFixed(3)}`;
}

/** False-positive rate as "fp/neg (1 in N)". */
function fpRate(c: Counts): string {
  return `${c.fp}/${c.neg}${c.fp === 0 ? '' : ` (1 in ${Math.round(c.neg / c.fp)})`}`;
}

function main(): void {
  if (!existsSync(DATA)) {
    console.log(`eval:ip: development data not found at ${DATA} (set RAMPART_DATA); nothing to evaluate.`);
    return;
  }
  const totals = { dev: { lines: zero(), anyLine: zero(), verdict: zero() }, 'held-out': { lines: zero(), anyLine: zero(), verdict: zero() } };
  const benignTotals = { dev: { lines: zero(), anyLine: zero(), verdict: zero() }, 'held-out': { lines: zero(), anyLine: zero(), verdict: zero() } };
  console.log('Whole engine on the real logs (labels: attack|suspicious positive, unwanted_bot set aside). P R F1; FP = flagged negatives/negatives');
  console.log(`  ${'log'.padEnd(44)} ${'split'.padEnd(8)} ${'lines: P     R     F1    FP'.padEnd(44)} ${'IPs any line: P R F1   FP'.padEnd(36)} IPs verdict: P R F1   FP`);
  for (const f of [...MIXED, ...BENIGN]) {
    const path = join(DATA, 'benign', f);
    if (!existsSync(path)) continue;
    const split = logSplit(f);
    const r = run(path, f, split);
    for (const k of ['lines', 'anyLine', 'verdict'] as const) {
      add(totals[split][k], r[k]);
      if (BENIGN.includes(f)) add(benignTotals[split][k], r[k]);
    }
    console.log(`  ${f.padEnd(44)} ${split.padEnd(8)} ${`${prf(r.lines)} ${fpRate(r.lines)}`.padEnd(44)} ${`${prf(r.anyLine)} ${fpRate(r.anyLine)}`.padEnd(36)} ${prf(r.verdict)} ${fpRate(r.verdict)}`);
    if (VERBOSE) for (const d of r.disagreements) console.log(`      ${d}`);
  }
  console.log('\n  two columns                    development                               held-out');
  for (const [name, k] of [['lines', 'lines'], ['IPs, any line', 'anyLine'], ['IPs, verdict', 'verdict']] as const) {
    const cell = (s: Split) => `P R F1 ${prf(totals[s][k])}, benign FP ${fpRate(benignTotals[s][k])}`;
    console.log(`  ${name.padEnd(16)} ${cell('dev').padEnd(52)} ${cell('held-out')}`);
  }
  console.log('  (benign FP: flagged lines / IPs on the ordinary benign logs; lines labelled there are scored as positives)');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
