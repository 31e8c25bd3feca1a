/**
 * Behaviour detections on the benign logs through the whole DetectionEngine (default config, as `analyze`):
 * lines and IPs flagged per log and per behaviour rule. Run: node --import tsx eval/behaviour-benign.ts [files…]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpEvent } from '../src/core/event.js';
import { loadConfig } from '../src/config/index.js';
import { buildDetection } from '../src/pipeline/build.js';
import { parseHttpEvent } from './combined.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DATA = resolve(process.env.RAMPART_DATA ?? join(here, '../../shared/data'));

export interface BehaviourRun {
  lines: number;
  ips: number;
  flaggedLines: number;
  flaggedIps: Set<string>;
  byRule: Map<string, { lines: number; ips: Set<string> }>;
}

/** One log through the engine in time order; only behaviour detections are counted. */
export function runBehaviour(path: string): BehaviourRun {
  const { config } = loadConfig({ env: {} });
  const { engine } = buildDetection(config);
  const run: BehaviourRun = { lines: 0, ips: 0, flaggedLines: 0, flaggedIps: new Set(), byRule: new Map() };
  const ips = new Set<string>();
  let batch: HttpEvent[] = [];
  const flush = () => {
    for (const t of engine.evaluate(batch)) {
      const live = t.detections.filter((d) => d.simulated !== true && d.ruleId.startsWith('behaviour/'));
      if (live.length === 0) continue;
      run.flaggedLines++;
      run.flaggedIps.add(t.event.ip);
      for (const d of live) {
        const r = run.byRule.get(d.ruleId) ?? { lines: 0, ips: new Set<string>() };
        r.lines++;
        r.ips.add(t.event.ip);
        run.byRule.set(d.ruleId, r);
      }
    }
    batch = [];
  };
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    const e = parseHttpEvent(line, path, i + 1);
    if (e === null) return;
    run.lines++;
    ips.add(e.ip);
    batch.push(e);
    if (batch.length >= 1000) flush();
  });
  flush();
  run.ips = ips.size;
  return run;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  const list = files.length > 0 ? files : ['zanbil_ecommerce_2019_10k.log', 'internal_secops_console_nginx_2020_20k.log', 'nasa_http_jul1995_4k.log', 'film_distributor_site_2009_2011.log', 'elastic-nginx/nginx_logs', 'mixed/howto_basjes_nl_spambots_2015.log', 'mixed/scanned_server_id_2024.log', 'mixed/l7_flood_2023.log'];
  for (const f of list) {
    const r = runBehaviour(join(DATA, 'benign', f));
    console.log(`${f}: lines ${r.lines}, flagged ${r.flaggedLines}; IPs ${r.ips}, flagged ${r.flaggedIps.size}`);
    for (const [id, x] of [...r.byRule.entries()].sort()) console.log(`    ${id.padEnd(32)} lines ${x.lines}, IPs ${x.ips.size}`);
  }
}
