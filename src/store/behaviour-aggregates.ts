/**
 * What one batch adds to the behaviour aggregates (migration 0010), computed in memory so each table gets one upsert.
 * Pure: the batch writer passes the rows its inserts returned (a replayed batch adds nothing) and the windows worth a
 * row. Every string from a log is bounded here, and the number of keys per hour and batch is capped (the rest is
 * summed under OTHER), as rollups.ts does for IPs and paths.
 */
import { isSimulatedOnly, type HttpEvent, type ThreatEvent } from '../core/index.js';
import type { IpWindow } from '../detect/index.js';
import { classifyUserAgent, isHostingNetwork, type UserAgentFamily } from '../enrich/index.js';
import { OTHER } from './rollups.js';
import { ip as boundIp, text } from './sanitize.js';
import { binCount, binOf, featureValue, WINDOW_FEATURES, type FeatureMoments, type WindowFeature } from './window-features.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** Bits of the distinct-IP sketch (linear counting): good to a few per cent up to ~20,000 IPs per row or range. */
export const SKETCH_BITS = 4096;
/** Client families kept per hour and batch (each a row); the rest is summed under OTHER. */
export const MAX_AGENT_KEYS = 400;
const MAX_HOST = 128;
const MAX_TARGET = 200;
export const MAX_TARGETS = 8;
export const MAX_HOSTS = 4;

export interface AgentRow {
  hour: number;
  host: string;
  kind: string;
  family: string;
  version: string;
  requests: number;
  /** SKETCH_BITS bits, the IPs' hashes. */
  ips: Uint8Array;
}

export function boundHost(host: string | null): string {
  if (!host) return '';
  const h = host.length > MAX_HOST ? host.slice(0, MAX_HOST) : host;
  return text(h.toLowerCase());
}

/** FNV-1a, 32 bits, with murmur3's finaliser (FNV alone leaves the low bits of near-identical IPs clustered). */
export function ipHash(ip: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) {
    h ^= ip.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** As PostgreSQL reads a bit string literal: `x` then hex digits, most significant bit first. */
export function sketchHex(bits: Uint8Array): string {
  return Buffer.from(bits).toString('hex');
}

/** Linear counting: n ≈ -m·ln(zeros/m). With no zero bit left the sketch is saturated: m·ln(m) is a lower bound. */
export function estimateDistinct(zeroBits: number, m = SKETCH_BITS): number {
  if (zeroBits >= m) return 0;
  if (zeroBits <= 0) return Math.round(m * Math.log(m));
  return Math.round(-m * Math.log(zeroBits / m));
}

/** JA4_a (protocol, TLS version, SNI, cipher and extension counts, ALPN): letters and digits, at most 16. */
export function ja4Family(ja4: string): string {
  const a = ja4.split('_', 1)[0] ?? '';
  return /^[a-z0-9]{1,16}$/i.test(a) ? a.toLowerCase() : OTHER;
}

/** A whole JA4 fingerprint, or OTHER when it is not one (a log can put anything in the field). */
export function ja4Fingerprint(ja4: string): string {
  return ja4.length <= 64 && /^[a-z0-9_]+$/i.test(ja4) ? ja4.toLowerCase() : OTHER;
}

/** Per hour, host and client family (user agent, and JA4 where the log carries it). */
export function aggregateAgents(events: Iterable<HttpEvent>, maxKeys = MAX_AGENT_KEYS): AgentRow[] {
  // Per hour: canonical rows by (kind, family, version, host), and the row each raw (host, user agent) and
  // (host, JA4) pair maps to, so most events cost two map lookups, not a classification or a new string.
  type Hour = { rows: Map<string, AgentRow>; ua: Map<string, Map<string, AgentRow>>; ja4: Map<string, Map<string, AgentRow>>; raw: number };
  const byHour = new Map<number, Hour>();
  const families = new Map<string, UserAgentFamily>();
  const rowFor = (
    h: Hour,
    hour: number,
    raw: Map<string, Map<string, AgentRow>>,
    host: string,
    value: string,
    make: () => [kind: string, family: string, version: string],
  ): AgentRow => {
    let values = raw.get(host);
    if (!values) raw.set(host, (values = new Map()));
    let row = values.get(value);
    if (row) return row;
    const [kind, family, version] = make();
    const bounded = boundHost(host);
    const key = `${kind}\t${family}\t${version}\t${bounded}`;
    row = h.rows.get(key);
    if (!row) h.rows.set(key, (row = { hour, host: bounded, kind, family, version, requests: 0, ips: new Uint8Array(SKETCH_BITS / 8) }));
    // Bounded: past 50,000 distinct raw pairs in an hour, the rest are classified each time.
    if (h.raw++ < 50_000) values.set(value, row);
    return row;
  };
  for (const e of events) {
    const hour = hourOf(e.time);
    let h = byHour.get(hour);
    if (!h) byHour.set(hour, (h = { rows: new Map(), ua: new Map(), ja4: new Map(), raw: 0 }));
    const bit = ipHash(boundIp(e.ip)) % SKETCH_BITS;
    const host = e.host ?? '';
    const ua = e.userAgent ?? '';
    const agent = rowFor(h, hour, h.ua, host, ua, () => {
      let f = families.get(ua);
      if (!f) {
        const c = classifyUserAgent(ua);
        f = { kind: c.kind, family: text(c.family), version: c.version };
        if (families.size < 10_000) families.set(ua, f);
      }
      return [f.kind, f.family, f.version];
    });
    agent.requests++;
    agent.ips[bit >> 3]! |= 1 << (7 - (bit & 7));
    const ja4 = e.ja4;
    if (ja4) {
      const fp = rowFor(h, hour, h.ja4, host, ja4, () => ['ja4', ja4Family(ja4), ja4Fingerprint(ja4)]);
      fp.requests++;
      fp.ips[bit >> 3]! |= 1 << (7 - (bit & 7));
    }
  }
  const out: AgentRow[] = [];
  for (const h of byHour.values()) out.push(...capAgents([...h.rows.values()], maxKeys));
  return out;
}

/** Keeps the busiest `max` rows of an hour; the rest fold into one OTHER row per kind (sketches OR-ed). */
function capAgents(rows: AgentRow[], max: number): AgentRow[] {
  if (rows.length <= max) return rows;
  rows.sort((a, b) => b.requests - a.requests);
  const kept = rows.slice(0, Math.max(0, max - 8));
  const other = new Map<string, AgentRow>();
  for (const r of rows.slice(kept.length)) {
    let o = other.get(r.kind);
    if (!o) other.set(r.kind, (o = { ...r, host: '', family: OTHER, version: '', requests: 0, ips: new Uint8Array(SKETCH_BITS / 8) }));
    o.requests += r.requests;
    for (let i = 0; i < o.ips.length; i++) o.ips[i]! |= r.ips[i]!;
  }
  return [...kept, ...other.values()];
}

export interface FeatureRow extends FeatureMoments {
  hour: number;
  threatLevel: string;
  feature: WindowFeature;
  bins: number[];
}

/** Per hour (of the window start), threat level and feature, over the windows stored as rows. */
export function aggregateFeatures(windows: readonly IpWindow[]): FeatureRow[] {
  // One lookup per window (hour and level), then the features by index.
  const groups = new Map<string, (FeatureRow | undefined)[]>();
  const out: FeatureRow[] = [];
  for (const w of windows) {
    const hour = hourOf(w.start);
    const key = `${hour} ${w.threatLevel}`;
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = new Array<FeatureRow | undefined>(WINDOW_FEATURES.length)));
    for (let i = 0; i < WINDOW_FEATURES.length; i++) {
      const feature = WINDOW_FEATURES[i]!;
      const v = featureValue(feature, w);
      if (v === null) continue;
      let r = rows[i];
      if (!r) {
        r = { hour, threatLevel: w.threatLevel, feature, n: 0, sum: 0, sumsq: 0, min: v, max: v, bins: new Array<number>(binCount(feature)).fill(0) };
        rows[i] = r;
        out.push(r);
      }
      addMoment(r, v);
      r.bins[binOf(feature, v)]!++;
    }
  }
  return out;
}

export const BASELINES = ['benign_browser', 'datacenter'] as const;
export type Baseline = (typeof BASELINES)[number];

export interface BaselineRow extends FeatureMoments {
  day: number;
  baseline: Baseline;
  feature: WindowFeature;
}

/**
 * The two baselines the radar compares an IP with, from the windows stored as rows: benign browsers are windows of
 * threat level LEGITIMATE_BROWSER (a browser User-Agent and no signal); datacenter clients are windows of IPs whose AS
 * organisation is a hosting network. A window carries no network, so an IP's AS organisation comes from the geo of
 * this batch's threats (`networks`): datacenter IPs that sent no threat in the same batch are not counted.
 */
export function aggregateBaselines(windows: readonly IpWindow[], networks: ReadonlyMap<string, string>): BaselineRow[] {
  const groups = new Map<string, (BaselineRow | undefined)[]>();
  const out: BaselineRow[] = [];
  for (const w of windows) {
    const benign = w.threatLevel === 'LEGITIMATE_BROWSER';
    const datacenter = networks.size > 0 && isHostingNetwork(networks.get(w.ip));
    if (!benign && !datacenter) continue;
    const day = dayOf(w.start);
    for (const baseline of BASELINES) {
      if (baseline === 'benign_browser' ? !benign : !datacenter) continue;
      const key = `${day} ${baseline}`;
      let rows = groups.get(key);
      if (!rows) groups.set(key, (rows = new Array<BaselineRow | undefined>(WINDOW_FEATURES.length)));
      for (let i = 0; i < WINDOW_FEATURES.length; i++) {
        const feature = WINDOW_FEATURES[i]!;
        const v = featureValue(feature, w);
        if (v === null) continue;
        let r = rows[i];
        if (!r) {
          r = { day, baseline, feature, n: 0, sum: 0, sumsq: 0, min: v, max: v };
          rows[i] = r;
          out.push(r);
        }
        addMoment(r, v);
      }
    }
  }
  return out;
}

/** The AS organisation of each threat's IP in the batch (from its geo annotation). */
export function threatNetworks(threats: Iterable<ThreatEvent>): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of threats) if (t.geo?.asOrg) out.set(t.event.ip, t.geo.asOrg);
  return out;
}

function addMoment(m: FeatureMoments, v: number): void {
  m.n++;
  m.sum += v;
  m.sumsq += v * v;
  if (v < m.min) m.min = v;
  if (v > m.max) m.max = v;
}

export interface ScenarioRow {
  scenario: string;
  hour: number;
  ip: string;
  windows: number;
  events: number;
  hits: number;
  firstSeen: number;
  lastSeen: number;
  maxUserAgents: number;
  maxJa4s: number;
  targets: string[];
  hosts: string[];
}

const RULE_PREFIX = 'behaviour/';
const SCENARIO_ID = /^[a-z0-9-]{1,40}$/;

/**
 * Per behaviour scenario, hour and IP: the windows that tripped it (hits, most user agents and JA4s in one window)
 * and the flagged events its detections name (`behaviour/<id>`; simulation-only threats are not counted), with a
 * few of their paths and hosts.
 */
export function aggregateScenarios(windows: readonly IpWindow[], threats: Iterable<ThreatEvent>): ScenarioRow[] {
  const rows = new Map<string, ScenarioRow>();
  const row = (scenario: string, hour: number, rawIp: string, first: number, last: number): ScenarioRow => {
    const ip = boundIp(rawIp);
    const key = `${scenario} ${hour} ${ip}`;
    let r = rows.get(key);
    if (!r) {
      r = { scenario, hour, ip, windows: 0, events: 0, hits: 0, firstSeen: first, lastSeen: last, maxUserAgents: 0, maxJa4s: 0, targets: [], hosts: [] };
      rows.set(key, r);
    }
    r.firstSeen = Math.min(r.firstSeen, first);
    r.lastSeen = Math.max(r.lastSeen, last);
    return r;
  };
  for (const w of windows) {
    if (!Number.isFinite(w.start) || !Number.isFinite(w.end)) continue;
    for (const s of new Set(w.scenarios)) {
      if (!SCENARIO_ID.test(s)) continue;
      const r = row(s, hourOf(w.start), w.ip, w.start, w.end);
      r.windows++;
      r.hits += Number.isFinite(w.hits) ? Math.max(0, Math.trunc(w.hits)) : 0;
      r.maxUserAgents = Math.max(r.maxUserAgents, finiteInt(w.distinctUserAgents));
      r.maxJa4s = Math.max(r.maxJa4s, finiteInt(w.distinctJa4s));
    }
  }
  for (const t of threats) {
    if (isSimulatedOnly(t)) continue;
    const seen = new Set<string>();
    for (const d of t.detections) {
      if (d.simulated || !d.ruleId.startsWith(RULE_PREFIX)) continue;
      const s = d.ruleId.slice(RULE_PREFIX.length);
      if (!SCENARIO_ID.test(s) || seen.has(s)) continue;
      seen.add(s);
      const r = row(s, hourOf(t.event.time), t.event.ip, t.event.time, t.event.time);
      r.events++;
      const target = text(t.event.path.length > MAX_TARGET ? t.event.path.slice(0, MAX_TARGET) : t.event.path);
      if (r.targets.length < MAX_TARGETS && !r.targets.includes(target)) r.targets.push(target);
      const host = boundHost(t.event.host);
      if (host !== '' && r.hosts.length < MAX_HOSTS && !r.hosts.includes(host)) r.hosts.push(host);
    }
  }
  return [...rows.values()];
}

function finiteInt(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0;
}
