/**
 * `npm run eval:ip`: IP-level results of the per-IP incident verdicts (src/detect/incident) against "any flagged
 * line flags the IP", on the DEVELOPMENT logs only (eval/split.ts: the held-out logs are skipped, not reported).
 * Mixed logs: an IP is positive when any of its lines is labelled attack or suspicious by the sidecar labels.
 * Ordinary benign logs: how many IPs are flagged at all (goal for verdicts: at most 0.5%).
 * Reads ../shared/data (or RAMPART_DATA); exits 0 when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpEvent } from '../src/core/event.js';
import { isSimulatedOnly } from '../src/core/detection.js';
import { loadConfig } from '../src/config/index.js';
import { IpIncidents } from '../src/detect/incident/index.js';
import { buildDetection } from '../src/pipeline/build.js';
import { parseHttpEvent } from './combined.js';
import { logSplit } from './split.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.RAMPART_DATA ?? join(here, '../../shared/data'));
const VERBOSE = process.argv.includes('--verbose');
const MIXED = ['mixed/scanned_server_id_2024.log', 'mixed/howto_basjes_nl_spambots_2015.log', 'mixed/l7_flood_2023.log'];
const BENIGN = ['zanbil_ecommerce_2019_10k.log', 'internal_secops_console_nginx_2020_20k.log', 'nasa_http_jul1995_4k.log', 'film_distributor_site_2009_2011.log', 'elastic-nginx/nginx_logs'];

interface Run {
  /** Per IP: any line labelled attack or suspicious. */
  positive: Map<string, boolean>;
  /** IPs with any non-simulated flagged line. */
  anyLine: Set<string>;
  /** IPs whose incident verdict is flagged, with its category and score. */
  verdict: Map<string, string>;
}

function labelsOf(path: string): Map<number, string> {
  const labels = new Map<number, string>();
  const sidecar = path.replace(/\.log$/, '') + '.labels.jsonl';
  if (existsSync(sidecar)) for (const l of readFileSync(sidecar, 'utf8').split('\n')) if (l) { const r = JSON.parse(l) as { line: number; label: string }; labels.set(r.line, r.label); }
  return labels;
}

/** The log through the whole DetectionEngine as `analyze` builds it, in batches of 1,000, threats into IpIncidents. */
function run(path: string, source: string): Run {
  const { config } = loadConfig({ env: {} });
  const { engine } = buildDetection(config);
  const labels = labelsOf(path);
  const positive = new Map<string, boolean>();
  const anyLine = new Set<string>();
  const incidents = new IpIncidents();
  const verdict = new Map<string, string>();
  let batch: HttpEvent[] = [];
  const flush = () => {
    const threats = engine.evaluate(batch);
    for (const t of threats) if (t.score > 0 && !isSimulatedOnly(t)) anyLine.add(t.event.ip);
    incidents.add(threats);
    batch = [];
  };
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    const e = parseHttpEvent(line, source, i + 1);
    if (e === null) return;
    const label = labels.get(i + 1);
    positive.set(e.ip, (positive.get(e.ip) ?? false) || label === 'attack' || label === 'suspicious');
    batch.push(e);
    if (batch.length >= 1000) flush();
  });
  flush();
  for (const v of incidents.verdicts()) if (v.flagged) verdict.set(v.ip, `${v.category} ${v.score.toFixed(2)} lines ${v.lines}`);
  return { positive, anyLine, verdict };
}

function prCell(flagged: (ip: string) => boolean, positive: Map<string, boolean>): string {
  let tp = 0, fp = 0, fn = 0;
  for (const [ip, pos] of positive) {
    const f = flagged(ip);
    if (f && pos) tp++;
    else if (f) fp++;
    else if (pos) fn++;
  }
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  return `TP ${String(tp).padStart(4)} FP ${String(fp).padStart(4)} FN ${String(fn).padStart(4)}  P ${p.toFixed(3)} R ${r.toFixed(3)}`;
}

function main(): void {
  if (!existsSync(DATA)) {
    console.log(`eval:ip: development data not found at ${DATA} (set RAMPART_DATA); nothing to evaluate.`);
    return;
  }
  console.log('IP level on development logs: "any line" = any flagged line flags the IP; "verdict" = src/detect/incident');
  for (const f of MIXED) {
    const path = join(DATA, 'benign', f);
    if (logSplit(f) !== 'dev' || !existsSync(path)) continue;
    const r = run(path, f);
    const pos = [...r.positive.values()].filter(Boolean).length;
    console.log(`  ${f}: IPs ${r.positive.size}, positive ${pos}`);
    console.log(`    any line  ${prCell((ip) => r.anyLine.has(ip), r.positive)}`);
    console.log(`    verdict   ${prCell((ip) => r.verdict.has(ip), r.positive)}`);
    if (VERBOSE) for (const [ip, pos] of r.positive) if (pos !== r.verdict.has(ip)) console.log(`      ${pos ? 'FN' : 'FP'} ${ip} ${r.verdict.get(ip) ?? (r.anyLine.has(ip) ? '(lines flagged, verdict not)' : '')}`);
  }
  let ips = 0, anyLine = 0, verdict = 0;
  for (const f of BENIGN) {
    const path = join(DATA, 'benign', f);
    if (logSplit(f) !== 'dev' || !existsSync(path)) continue;
    const r = run(path, f);
    ips += r.positive.size; anyLine += r.anyLine.size; verdict += r.verdict.size;
    const pc = (n: number) => `${n} (${((100 * n) / Math.max(1, r.positive.size)).toFixed(2)}%)`;
    console.log(`  benign ${f}: IPs ${r.positive.size}, flagged by any line ${pc(r.anyLine.size)}, by verdict ${pc(r.verdict.size)}`);
    if (VERBOSE) for (const [ip, why] of r.verdict) console.log(`      flagged ${ip} ${why}`);
  }
  console.log(`  benign dev logs: IPs ${ips}, flagged by any line ${anyLine} (${((100 * anyLine) / Math.max(1, ips)).toFixed(2)}%), by verdict ${verdict} (${((100 * verdict) / Math.max(1, ips)).toFixed(2)}%)`);
}

main();
