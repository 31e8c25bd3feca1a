/**
 * Per-IP incidents: an IP's flagged lines (rule and behaviour detections alike) folded into one verdict.
 *
 * The rule, in words:
 * - one certain line flags the IP: high or critical severity, or a line score of at least `certainScore` (a
 *   confident medium rule such as a `/.env` or CONNECT-proxy probe, or two medium rules on one line), or a line of
 *   an `identityCategories` category, which says what the client is rather than what it tried (an internet-survey
 *   scanner's user agent, a TLS or binary greeting to the HTTP port, a burst of probes): the incident is that plus
 *   whatever else the IP sent;
 * - weak lines (low or medium) flag it only together: at least `minSignals` distinct signals, where a signal is a
 *   distinct (rules, path) pair and a behaviour scenario hit counts `scenarioSignals` (it already summarises many
 *   requests), and a combined score of at least `minSessionScore`;
 * - one weak line never flags, and the same weak rule on the same path a thousand times is still one signal, so a
 *   benign page that trips a weak rule on every visit does not become an incident.
 *
 * The score is the noisy-or (as src/detect/score.ts combines one line's detections) of the line scores of its
 * distinct lines (rules and path; a repeat adds nothing), so it is on the same 0..1 scale as the line scores. Memory is bounded: at most `maxIps` IPs, the least
 * recently updated evicted first and handed to `onEvict` with its final verdict, so nothing flagged is lost.
 */
import { isSimulatedOnly, SEVERITIES, type Category, type Severity, type ThreatEvent } from '../../core/index.js';

export interface IpVerdictOptions {
  /** Line score from which one line is certain whatever its severity. */
  certainScore: number;
  /** Distinct signals that flag an IP without any certain line. */
  minSignals: number;
  /** How many signals one behaviour scenario hit counts as. */
  scenarioSignals: number;
  /** Combined score that weak signals must also reach. */
  minSessionScore: number;
  /** IPs tracked at once (about 720 bytes of heap each, measured with 3 rules on 7 paths per IP). */
  maxIps: number;
  /** Line categories that are certain whatever their score: they name the client, not one request of it. */
  identityCategories: readonly Category[];
}

export const DEFAULT_IP_VERDICT_OPTIONS: IpVerdictOptions = {
  certainScore: 0.45,
  minSignals: 3,
  scenarioSignals: 2,
  minSessionScore: 0.4,
  maxIps: 50_000,
  identityCategories: ['scanner', 'protocol'],
};

/** Distinct signals remembered per IP: enough to know `minSignals` was reached, and a bound on memory. */
const MAX_SIGNALS = 16;
/** Characters of the path that tell two signals apart (a hostile path can be long). */
const SIGNAL_PATH_CHARS = 256;

export interface IpVerdict {
  ip: string;
  flagged: boolean;
  /** Category of the certain lines (largest summed score among them), else of all lines. */
  category: Category;
  /** 0..1, noisy-or of the distinct signals' line scores. */
  score: number;
  /** Flagged lines (simulated-only lines excluded). */
  lines: number;
  categories: Partial<Record<Category, number>>;
  severities: Record<Severity, number>;
  /** Epoch ms of the first and last flagged line. */
  first: number;
  last: number;
  /** Certain lines: high or critical severity, score >= certainScore, or an identity category. */
  certain: number;
  /** Distinct weak signals, scenario hits weighted (saturates at MAX_SIGNALS). */
  signals: number;
}

interface Incident {
  lines: number;
  certain: number;
  signalUnits: number;
  /** Hashes of the distinct signals seen (at most MAX_SIGNALS). */
  seen: number[];
  /** Product of (1 - score) over distinct lines (rules and path), certain or weak. */
  miss: number;
  byCategory: Map<Category, { lines: number; weight: number; certainWeight: number }>;
  severities: Record<Severity, number>;
  first: number;
  last: number;
}

export class IpIncidents {
  private readonly incidents = new Map<string, Incident>();
  private readonly opts: IpVerdictOptions;
  /** IPs dropped to keep within maxIps. */
  evicted = 0;

  constructor(
    opts: Partial<IpVerdictOptions> = {},
    private readonly onEvict: (v: IpVerdict) => void = () => {},
  ) {
    this.opts = { ...DEFAULT_IP_VERDICT_OPTIONS, ...opts };
  }

  get size(): number {
    return this.incidents.size;
  }

  /** Folds flagged lines in; lines with no score or only simulated detections are ignored. */
  add(threats: readonly ThreatEvent[]): void {
    for (const t of threats) if (t.score > 0 && !isSimulatedOnly(t)) this.addOne(t);
  }

  private addOne(t: ThreatEvent): void {
    const ip = t.event.ip;
    let inc = this.incidents.get(ip);
    if (inc === undefined) {
      if (this.incidents.size >= this.opts.maxIps) this.evictOldest();
      inc = {
        lines: 0, certain: 0, signalUnits: 0, seen: [], miss: 1, byCategory: new Map(),
        severities: { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
        first: t.event.time, last: t.event.time,
      };
    } else {
      this.incidents.delete(ip); // re-inserted below: Map order is then least recently updated first
    }
    this.incidents.set(ip, inc);
    inc.lines++;
    inc.severities[t.severity]++;
    inc.first = Math.min(inc.first, t.event.time);
    inc.last = Math.max(inc.last, t.event.time);
    const score = Number.isFinite(t.score) ? Math.min(1, Math.max(0, t.score)) : 0;
    const c = inc.byCategory.get(t.category) ?? { lines: 0, weight: 0, certainWeight: 0 };
    c.lines++;
    c.weight += score;
    inc.byCategory.set(t.category, c);
    const certain =
      SEVERITIES.indexOf(t.severity) >= SEVERITIES.indexOf('high') ||
      score >= this.opts.certainScore ||
      this.opts.identityCategories.includes(t.category);
    if (certain) {
      c.certainWeight += score;
      inc.certain++;
    }
    // A repeated line (same rules, same path) adds nothing to the score, certain or not.
    const h = signalHash(t);
    if (inc.seen.includes(h) || inc.seen.length >= MAX_SIGNALS) return;
    inc.seen.push(h);
    inc.miss *= 1 - score;
    if (certain) return;
    const scenario = t.detections.some((d) => d.simulated !== true && d.ruleId.startsWith('behaviour/'));
    inc.signalUnits += scenario ? this.opts.scenarioSignals : 1;
  }

  private evictOldest(): void {
    const oldest = this.incidents.keys().next();
    if (oldest.done === true) return;
    const inc = this.incidents.get(oldest.value)!;
    this.incidents.delete(oldest.value);
    this.evicted++;
    this.onEvict(judge(oldest.value, inc, this.opts));
  }

  verdict(ip: string): IpVerdict | undefined {
    const inc = this.incidents.get(ip);
    return inc === undefined ? undefined : judge(ip, inc, this.opts);
  }

  /** Verdicts of every IP still tracked, least recently updated first. */
  *verdicts(): IterableIterator<IpVerdict> {
    for (const [ip, inc] of this.incidents) yield judge(ip, inc, this.opts);
  }
}

function judge(ip: string, inc: Incident, opts: IpVerdictOptions): IpVerdict {
  const score = 1 - inc.miss;
  let category: Category = 'anomaly';
  let best = { certainWeight: -1, weight: -1 };
  const categories: Partial<Record<Category, number>> = {};
  for (const [cat, c] of inc.byCategory) {
    categories[cat] = c.lines;
    // The certain attack names the incident; weak lines name it only when there is none.
    if (c.certainWeight > best.certainWeight || (c.certainWeight === best.certainWeight && c.weight > best.weight)) {
      best = c;
      category = cat;
    }
  }
  const flagged = inc.certain > 0 || (inc.signalUnits >= opts.minSignals && score >= opts.minSessionScore);
  return {
    ip, flagged, category, score, lines: inc.lines, categories, severities: { ...inc.severities },
    first: inc.first, last: inc.last, certain: inc.certain, signals: inc.signalUnits,
  };
}

/** FNV-1a over the line's rule ids and (bounded) path: what makes two weak lines the same signal. */
function signalHash(t: ThreatEvent): number {
  let h = 0x811c9dc5;
  const mix = (s: string, n: number) => {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0, 0x01000193);
  };
  for (const d of t.detections) if (d.simulated !== true) mix(d.ruleId, d.ruleId.length);
  const path = t.event.path;
  mix(path, Math.min(path.length, SIGNAL_PATH_CHARS));
  return h >>> 0;
}
