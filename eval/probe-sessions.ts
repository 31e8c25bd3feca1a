/**
 * Session-level measure for the probe lists: each list replayed as scanner sessions (one source IP per
 * session, a browser user agent, mostly 404s) through the whole DetectionEngine (rules + behaviour,
 * default config, as `analyze` builds it). An endpoint-only probe (`/admin/`, `/wp-login.php`) is a
 * probe only in bulk; this is where that bulk is measured.
 *
 * Sessions: the list in its own order, cut into chunks of N requests. Timing: a burst (150-650 ms
 * between requests, what dirsearch/nuclei/ffuf do at default settings) or slow (12-20 s between
 * requests, a deliberately throttled scanner). Status: 404, with every 10th request 403 and every
 * 20th 200 (a scanner does hit some real paths). A session counts as detected when any request in it
 * gets a detection that is not simulated.
 */
import type { HttpEvent } from '../src/core/event.js';
import { loadConfig } from '../src/config/index.js';
import { buildDetection } from '../src/pipeline/build.js';
import type { Sample } from './corpus.js';
import { classifyProbe } from './probe-visibility.js';

const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

interface Variant { name: string; size: number; gapMs: [number, number] }
export const SESSION_VARIANTS: Variant[] = [
  { name: 'burst of 20', size: 20, gapMs: [150, 650] },
  { name: 'burst of 50', size: 50, gapMs: [150, 650] },
  { name: 'slow 20 (12-20 s apart)', size: 20, gapMs: [12_000, 20_000] },
];

export interface SessionResult { sessions: number; detected: number; byBehaviour: number; byRulesOnly: number }

/** Deterministic pseudo-random numbers (a fixed LCG), so every run replays the same sessions. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 0x1_0000_0000;
  };
}

export function replaySessions(samples: readonly Sample[], v: Variant): SessionResult {
  const { config } = loadConfig({ env: {} });
  const { engine } = buildDetection(config);
  const rnd = lcg(0x5eed + v.size);
  const res: SessionResult = { sessions: 0, detected: 0, byBehaviour: 0, byRulesOnly: 0 };
  const start = Date.UTC(2024, 0, 8, 9, 0, 0);
  for (let k = 0; k * v.size < samples.length; k++) {
    const chunk = samples.slice(k * v.size, (k + 1) * v.size);
    if (chunk.length < Math.min(v.size, 10)) break; // a last stub of a few requests is not a session of this size
    const ip = `198.18.${(k >> 8) & 255}.${k & 255}`;
    let t = start + k * 3_600_000; // sessions an hour apart, each from its own IP
    const batch: HttpEvent[] = chunk.map((s, i) => {
      t += Math.round(v.gapMs[0] + rnd() * (v.gapMs[1] - v.gapMs[0]));
      const status = i % 20 === 7 ? 200 : i % 10 === 3 ? 403 : 404;
      return {
        id: `session:${v.size}:${k}:${i}`,
        time: t,
        ip,
        peerIp: null,
        method: 'GET',
        host: null,
        path: s.event.path,
        query: s.event.query,
        protocol: 'HTTP/1.1',
        status,
        bytes: status === 200 ? 5120 : 162,
        referer: null,
        userAgent: BROWSER_UA,
        requestTime: null,
        ja4: null,
        ja4h: null,
        headers: null,
        origin: { kind: 'file', source: 'eval:probe-session', offset: 0, line: i + 1 },
      };
    });
    let rules = false;
    let behaviour = false;
    // A session's hits that site knowledge held back are judged at its end, as analyze does at the end of a log.
    for (const te of engine.evaluate(batch).concat(engine.releaseHeld())) {
      for (const d of te.detections) {
        if (d.simulated === true) continue;
        if (d.ruleId.startsWith('behaviour/')) behaviour = true;
        else rules = true;
      }
    }
    res.sessions++;
    if (rules || behaviour) res.detected++;
    if (behaviour) res.byBehaviour++;
    else if (rules) res.byRulesOnly++;
  }
  engine.drainWindows({ flush: true });
  return res;
}

function pct(a: number, b: number): string {
  return b === 0 ? '   n/a' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;
}

/** Prints the session table for the probe-list categories present in `samples`. */
export function printProbeSessions(samples: readonly Sample[], labels: readonly string[]): void {
  console.log('\nprobe lists as scanner sessions, whole DetectionEngine (rules + behaviour, default config; eval/probe-sessions.ts):');
  console.log('  list                        requests  session shape              sessions  detected  (by behaviour / rules only)');
  for (const label of labels) {
    const all = samples.filter((s) => s.label === label && s.source.startsWith('probes/') && s.variant === 'target');
    if (all.length === 0) continue;
    const endpointOnly = all.filter((s) => !classifyProbe(s.payload).visible);
    for (const [name, set] of [[label, all], [`${label} endpoint-only`, endpointOnly]] as const) {
      for (const v of SESSION_VARIANTS) {
        const r = replaySessions(set, v);
        console.log(`  ${name.padEnd(27)} ${String(set.length).padStart(8)}  ${v.name.padEnd(25)} ${String(r.sessions).padStart(9)}  ${pct(r.detected, r.sessions).padStart(8)}  (${r.byBehaviour} / ${r.byRulesOnly})`);
      }
    }
  }
  console.log('  (one IP per session, browser UA, 404 except every 10th 403 and every 20th 200; "slow" stays under the http-probing leak rate on purpose)');
}
