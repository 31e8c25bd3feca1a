/**
 * Running totals for `rampart analyze` and their text rendering. A parallel run (analyze-parallel.ts)
 * keeps one per worker and merges their parts: every total is a sum, so the merge is exact as long as
 * the top-IP table stays under its cap.
 */
import { isSimulatedOnly, SEVERITIES, type Severity, type ThreatEvent } from '../core/index.js';
import type { IpVerdict } from '../detect/index.js';
import type { SourceMetrics } from '../pipeline/index.js';

/** The line counters the summary shows (the pipeline's totals over all sources). */
export type LineTotals = Pick<SourceMetrics, 'read' | 'parsed' | 'unparsed' | 'overlong'>;

/** An AnalyzeSummary as plain data, to cross a thread. */
export interface SummaryParts {
  bySeverity: Record<Severity, number>;
  byCategory: [string, number][];
  byIp: [string, number][];
  byRule: [string, number][];
  threats: number;
  simulatedOnly: number;
  ipsFlagged: number;
}

/** Cap on distinct IPs counted for the top list, so a flood of unique attackers cannot grow it without bound. */
const MAX_TRACKED_IPS = 200_000;

export class AnalyzeSummary {
  readonly bySeverity: Record<Severity, number> = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  readonly byCategory = new Map<string, number>();
  readonly byIp = new Map<string, number>();
  readonly byRule = new Map<string, number>();
  threats = 0;
  simulatedOnly = 0;
  /** IPs whose incident verdict (src/detect/incident) is flagged; set once the run is over. */
  ipsFlagged = 0;

  add(threats: readonly ThreatEvent[]): void {
    for (const t of threats) {
      if (isSimulatedOnly(t)) {
        this.simulatedOnly++;
        continue;
      }
      this.threats++;
      this.bySeverity[t.severity]++;
      this.byCategory.set(t.category, (this.byCategory.get(t.category) ?? 0) + 1);
      const ip = t.event.ip;
      const n = this.byIp.get(ip);
      if (n !== undefined) this.byIp.set(ip, n + 1);
      else if (this.byIp.size < MAX_TRACKED_IPS) this.byIp.set(ip, 1);
      for (const d of t.detections) this.byRule.set(d.ruleId, (this.byRule.get(d.ruleId) ?? 0) + 1);
    }
  }

  toParts(): SummaryParts {
    return {
      bySeverity: { ...this.bySeverity },
      byCategory: [...this.byCategory],
      byIp: [...this.byIp],
      byRule: [...this.byRule],
      threats: this.threats,
      simulatedOnly: this.simulatedOnly,
      ipsFlagged: this.ipsFlagged,
    };
  }

  /** Adds another summary's totals (of other lines) to this one. */
  merge(p: SummaryParts): void {
    for (const s of SEVERITIES) this.bySeverity[s] += p.bySeverity[s];
    for (const [k, n] of p.byCategory) this.byCategory.set(k, (this.byCategory.get(k) ?? 0) + n);
    for (const [k, n] of p.byRule) this.byRule.set(k, (this.byRule.get(k) ?? 0) + n);
    for (const [k, n] of p.byIp) {
      const had = this.byIp.get(k);
      if (had !== undefined) this.byIp.set(k, had + n);
      else if (this.byIp.size < MAX_TRACKED_IPS) this.byIp.set(k, n);
    }
    this.threats += p.threats;
    this.simulatedOnly += p.simulatedOnly;
    this.ipsFlagged += p.ipsFlagged;
  }

  toJSON(t: LineTotals, seconds: number): object {
    return {
      lines: t.read,
      parsed: t.parsed,
      parse_errors: t.unparsed,
      overlong: t.overlong,
      seconds: round(seconds, 3),
      lines_per_second: Math.round(t.read / Math.max(seconds, 1e-6)),
      peak_rss_mb: peakRssMb(),
      threats: this.threats,
      ips_flagged: this.ipsFlagged,
      by_severity: this.bySeverity,
      by_category: Object.fromEntries(sortDesc(this.byCategory)),
      top_ips: sortDesc(this.byIp)
        .slice(0, 10)
        .map(([ip, count]) => ({ ip, threats: count })),
      top_rules: sortDesc(this.byRule)
        .slice(0, 10)
        .map(([rule, count]) => ({ rule, hits: count })),
    };
  }

  render(t: LineTotals, seconds: number): string {
    const rate = Math.round(t.read / Math.max(seconds, 1e-6));
    const lines: string[] = [];
    lines.push(`lines        ${t.read}  (parsed ${t.parsed}, parse errors ${t.unparsed}, over-long ${t.overlong})`);
    lines.push(`time         ${seconds.toFixed(2)} s, ${groupedThousands(rate)} lines/s, peak RSS ${peakRssMb()} MB`);
    lines.push(`threats      ${this.threats}${this.simulatedOnly ? ` (+${this.simulatedOnly} simulated only)` : ''}`);
    lines.push(`IPs flagged  ${this.ipsFlagged}`);
    lines.push(`by severity  ${SEVERITIES.slice().reverse().map((s) => `${s} ${this.bySeverity[s]}`).join(', ')}`);
    if (this.byCategory.size > 0) {
      lines.push('by category');
      for (const [c, n] of sortDesc(this.byCategory)) lines.push(`  ${c.padEnd(16)} ${n}`);
    }
    if (this.byIp.size > 0) {
      lines.push('top IPs');
      for (const [ip, n] of sortDesc(this.byIp).slice(0, 10)) lines.push(`  ${ip.padEnd(40)} ${n}`);
    }
    if (this.byRule.size > 0) {
      lines.push('top rules');
      for (const [r, n] of sortDesc(this.byRule).slice(0, 10)) lines.push(`  ${r.padEnd(40)} ${n}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** Peak resident memory of this process so far (maxRSS is in KiB). */
/**
 * 1234567 as "1,234,567". Not toLocaleString: its first call loads the locale data, about 35 ms of a short
 * `analyze`.
 */
export function groupedThousands(n: number): string {
  const digits = String(Math.round(Math.abs(n)));
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function sortDesc(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** One JSON object per flagged line for `--output jsonl`. */
export function threatJsonLine(t: ThreatEvent): string {
  const e = t.event;
  const o = e.origin;
  return JSON.stringify({
    type: 'line',
    file: o.source,
    line: o.kind === 'file' ? o.line : null,
    ip: e.ip,
    time: new Date(e.time).toISOString(),
    method: e.method,
    path: e.path,
    query: e.query,
    status: e.status,
    user_agent: e.userAgent,
    category: t.category,
    severity: t.severity,
    score: round(t.score, 3),
    rules: [...new Set(t.detections.map((d) => d.ruleId))],
    country: t.geo?.country ?? null,
    asn: t.geo?.asn ?? null,
    as_org: t.geo?.asOrg ?? null,
    simulated: isSimulatedOnly(t) || undefined,
  });
}

/** One JSON object per flagged IP for `--output jsonl`, after the line objects. */
export function ipVerdictJsonLine(v: IpVerdict): string {
  return JSON.stringify({
    type: 'ip',
    ip: v.ip,
    flagged: v.flagged,
    category: v.category,
    score: round(v.score, 3),
    lines: v.lines,
    categories: v.categories,
    severities: v.severities,
    first: new Date(v.first).toISOString(),
    last: new Date(v.last).toISOString(),
  });
}
