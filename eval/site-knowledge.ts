/**
 * Site knowledge on every benign log (src/detect/site): each log through the whole DetectionEngine as `analyze`
 * builds it, once without site knowledge and once with it (holding hits until the end of the log), and what
 * changed: lines and IPs flagged (every line, sidecar-labelled ones included), sensitive_file lines, and the
 * knowledge's counters. Counts only: no line of the held-out log is printed (eval/split.ts).
 * Run: node --import tsx eval/site-knowledge.ts [files…]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpEvent } from '../src/core/event.js';
import type { ThreatEvent } from '../src/core/detection.js';
import { loadConfig } from '../src/config/index.js';
import { buildDetection } from '../src/pipeline/build.js';
import { parseHttpEvent } from './combined.js';
import { logSplit } from './split.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.RAMPART_DATA ?? join(here, '../../shared/data'));
const LOGS = [
  'zanbil_ecommerce_2019_10k.log',
  'internal_secops_console_nginx_2020_20k.log',
  'nasa_http_jul1995_4k.log',
  'film_distributor_site_2009_2011.log',
  'elastic-nginx/nginx_logs',
  'mixed/howto_basjes_nl_spambots_2015.log',
  'mixed/scanned_server_id_2024.log',
  'mixed/l7_flood_2023.log',
];

interface Run {
  lines: number;
  ips: number;
  flaggedLines: number;
  flaggedIps: number;
  sensitiveLines: number;
  counters: Record<string, number> | null;
}

function run(events: readonly HttpEvent[], site: boolean): Run {
  const { config } = loadConfig({ env: {} });
  const { engine } = buildDetection(config, undefined, { site: site ? { holdMs: Infinity } : false });
  const threats: ThreatEvent[] = [];
  for (let i = 0; i < events.length; i += 1000) threats.push(...engine.evaluate(events.slice(i, i + 1000)));
  threats.push(...engine.releaseHeld());
  engine.drainWindows({ flush: true });
  const live = threats.filter((t) => t.detections.some((d) => d.simulated !== true));
  return {
    lines: events.length,
    ips: new Set(events.map((e) => e.ip)).size,
    flaggedLines: live.length,
    flaggedIps: new Set(live.map((t) => t.event.ip)).size,
    sensitiveLines: live.filter((t) => t.detections.some((d) => d.simulated !== true && d.category === 'sensitive_file')).length,
    counters: engine.site ? { ...engine.site.counters } : null,
  };
}

const per = (a: number, b: number) => (a === 0 ? '0' : `1 in ${Math.round(b / a)}`);

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : LOGS;
console.log('log                                          lines   IPs | without: lines flagged (sensitive)  IPs flagged | with site knowledge: lines flagged (sensitive)  IPs flagged | counters');
for (const f of files) {
  const events: HttpEvent[] = [];
  readFileSync(join(DATA, 'benign', f), 'utf8').split('\n').forEach((line, i) => {
    const e = line === '' ? null : parseHttpEvent(line, f, i + 1);
    if (e !== null) events.push(e);
  });
  const off = run(events, false);
  const on = run(events, true);
  const cell = (r: Run) => `${String(r.flaggedLines).padStart(5)} (${r.sensitiveLines}) ${per(r.flaggedLines, r.lines).padStart(11)}  ${String(r.flaggedIps).padStart(4)} (${((100 * r.flaggedIps) / r.ips).toFixed(2)}%)`;
  const name = `${f}${logSplit(f) === 'held-out' ? ' (held-out)' : ''}`;
  console.log(`${name.padEnd(44)} ${String(off.lines).padStart(6)} ${String(off.ips).padStart(5)} | ${cell(off)} | ${cell(on)} | ${JSON.stringify(on.counters)}`);
}
