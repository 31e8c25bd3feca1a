/**
 * Allowlist: traffic the operator says is not an attack, checked at detection time by the
 * DetectionEngine and (later) at decision time by whoever bans. Pure: built from specs, no I/O.
 *
 * An entry holds event conditions (all must hold; within one list, any item) and an optional rule
 * scope. Without a scope it allows the whole event ("event-wide": the engine keeps such events away
 * from every detector, so an allowed monitoring host never fills a behaviour bucket). With a scope
 * (rule-id globs and/or categories) it only drops the detections in that scope.
 *
 * Each entry counts what it suppressed, so an operator can see what an allowlist costs in visibility.
 */
import type { Category, HttpEvent } from '../../core/index.js';
import { CidrSet } from '../../net/index.js';
import { Glob } from './glob.js';
import { canonicalPath, underPrefix } from './path.js';

/** One allowlist entry as config or a profile states it. */
export interface AllowEntrySpec {
  /** Stable label for counters and errors, e.g. `detect.allowlist.ips[0]` or `profile:nextcloud#2`. */
  id: string;
  /** Why the entry exists (profiles require it). */
  why?: string;
  /** IPs or CIDRs. */
  ips?: readonly string[];
  /** Path prefixes (segment-aligned) or globs (containing `*` or `?`), compared with the canonical path. */
  paths?: readonly string[];
  /** Case-insensitive substrings of the user agent. */
  userAgents?: readonly string[];
  /** Upper-case HTTP methods. */
  methods?: readonly string[];
  /** Rule or scenario id globs (`behaviour/http-probing`, `scanner-*`). */
  rules?: readonly string[];
  categories?: readonly Category[];
}

export interface AllowEntryStats {
  id: string;
  why?: string;
  /** Detections dropped (scoped entries). */
  suppressed: number;
  /** Events kept away from every detector (event-wide entries). */
  withheld: number;
  /** Dropped detections by rule id (at most MAX_RULE_KEYS distinct ids; the rest count under `other`). */
  byRule: Record<string, number>;
}

const MAX_RULE_KEYS = 256;
const MAX_UA_SCAN = 1024;

/** Thrown for a bad entry; `key` names the config key or profile entry. */
export class AllowlistError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key}: ${problem}`);
  }
}

interface PathTest {
  prefix?: string;
  glob?: Glob;
}

class Entry {
  readonly cidrs: CidrSet | null;
  readonly paths: readonly PathTest[];
  readonly uas: readonly string[];
  readonly methods: ReadonlySet<string> | null;
  readonly ruleGlobs: readonly Glob[];
  readonly categories: ReadonlySet<string>;
  readonly eventWide: boolean;
  readonly stats: AllowEntryStats;
  private ruleKeys = 0;

  constructor(spec: AllowEntrySpec) {
    const key = spec.id;
    try {
      this.cidrs = spec.ips && spec.ips.length > 0 ? new CidrSet(spec.ips) : null;
    } catch (err) {
      throw new AllowlistError(key, (err as Error).message);
    }
    this.paths = (spec.paths ?? []).map((p) => {
      if (!p.startsWith('/')) throw new AllowlistError(key, `path ${JSON.stringify(p.slice(0, 80))} must start with '/'`);
      try {
        return /[*?]/.test(p) ? { glob: new Glob(p, 'path') } : { prefix: p };
      } catch (err) {
        throw new AllowlistError(key, (err as Error).message);
      }
    });
    this.uas = (spec.userAgents ?? []).map((u) => {
      if (u.length === 0 || u.length > 256) throw new AllowlistError(key, 'a user agent substring must be 1..256 characters');
      return u.toLowerCase();
    });
    this.methods = spec.methods && spec.methods.length > 0 ? new Set(spec.methods.map((m) => m.toUpperCase())) : null;
    try {
      this.ruleGlobs = (spec.rules ?? []).map((r) => new Glob(r, 'text'));
    } catch (err) {
      throw new AllowlistError(key, `rule ${(err as Error).message}`);
    }
    this.categories = new Set(spec.categories ?? []);
    this.eventWide = this.ruleGlobs.length === 0 && this.categories.size === 0;
    if (this.eventWide && !this.cidrs && this.paths.length === 0 && this.uas.length === 0 && this.methods === null) {
      // An entry with no condition and no scope would switch detection off altogether.
      throw new AllowlistError(key, 'an entry needs at least one condition (ips, paths, userAgents, methods) or a rule scope');
    }
    this.stats = { id: spec.id, ...(spec.why !== undefined ? { why: spec.why } : {}), suppressed: 0, withheld: 0, byRule: {} };
  }

  holdsFor(event: HttpEvent, view: EventView): boolean {
    if (this.methods !== null && !this.methods.has(event.method.toUpperCase())) return false;
    if (this.cidrs !== null && !this.cidrs.contains(event.ip)) return false;
    if (this.paths.length > 0) {
      const path = view.path();
      if (!this.paths.some((t) => (t.prefix !== undefined ? underPrefix(path, t.prefix) : t.glob!.matches(path)))) return false;
    }
    if (this.uas.length > 0) {
      const ua = view.ua();
      if (ua === '' || !this.uas.some((u) => ua.includes(u))) return false;
    }
    return true;
  }

  covers(ruleId: string | undefined, category: string | undefined): boolean {
    if (this.eventWide) return true;
    if (ruleId === undefined && category === undefined) return false;
    if (category !== undefined && this.categories.has(category)) return true;
    return ruleId !== undefined && this.ruleGlobs.some((g) => g.matches(ruleId));
  }

  count(ruleId: string, n = 1): void {
    this.stats.suppressed += n;
    const byRule = this.stats.byRule;
    if (byRule[ruleId] === undefined) {
      if (this.ruleKeys >= MAX_RULE_KEYS) ruleId = 'other';
      else this.ruleKeys++;
    }
    byRule[ruleId] = (byRule[ruleId] ?? 0) + n;
  }
}

/** Lazily computed, per-event views shared by every entry test. */
class EventView {
  private canonical: string | undefined;
  private lowerUa: string | undefined;
  constructor(private readonly event: HttpEvent) {}
  path(): string {
    return (this.canonical ??= canonicalPath(this.event.path));
  }
  ua(): string {
    return (this.lowerUa ??= (this.event.userAgent ?? '').slice(0, MAX_UA_SCAN).toLowerCase());
  }
}

/** What the engine asks per event: the entries whose conditions hold, checked lazily per detection. */
export interface EventAllowance {
  /** The first entry that covers (ruleId, category), or null. Counts nothing. */
  entryFor(ruleId: string, category?: string): AllowEntryStats | null;
  /** Like entryFor, and counts the suppression on that entry. */
  suppress(ruleId: string, category?: string): boolean;
}

export class Allowlist {
  private readonly entries: readonly Entry[];
  private readonly eventWideEntries: readonly Entry[];
  private readonly scopedEntries: readonly Entry[];

  constructor(specs: readonly AllowEntrySpec[]) {
    const ids = new Set<string>();
    for (const s of specs) {
      if (ids.has(s.id)) throw new AllowlistError(s.id, 'duplicate entry id');
      ids.add(s.id);
    }
    this.entries = specs.map((s) => new Entry(s));
    this.eventWideEntries = this.entries.filter((e) => e.eventWide);
    this.scopedEntries = this.entries.filter((e) => !e.eventWide);
  }

  static readonly EMPTY = new Allowlist([]);

  get size(): number {
    return this.entries.length;
  }

  get hasEventWide(): boolean {
    return this.eventWideEntries.length > 0;
  }

  get hasScoped(): boolean {
    return this.scopedEntries.length > 0;
  }

  /**
   * Is this event (and, when given, this rule or scenario id and its category) allowed? Without a rule id
   * only event-wide entries count. This is the question a decision maker asks before banning.
   */
  matches(event: HttpEvent, ruleId?: string, category?: Category): boolean {
    return this.match(event, ruleId, category) !== null;
  }

  /** The entry that allows it, for explanations. */
  match(event: HttpEvent, ruleId?: string, category?: Category): AllowEntryStats | null {
    const view = new EventView(event);
    for (const e of this.entries) {
      if (e.covers(ruleId, category) && e.holdsFor(event, view)) return e.stats;
    }
    return null;
  }

  /** Engine hook: the event-wide entry that withholds this event from detection (counted), or null. */
  withhold(event: HttpEvent): boolean {
    if (this.eventWideEntries.length === 0) return false;
    const view = new EventView(event);
    for (const e of this.eventWideEntries) {
      if (e.holdsFor(event, view)) {
        e.stats.withheld++;
        return true;
      }
    }
    return false;
  }

  /** Engine hook: a per-event handle that tests scoped entries against each detection of the event. */
  forEvent(event: HttpEvent): EventAllowance {
    const view = new EventView(event);
    const holds = new Map<Entry, boolean>();
    const find = (ruleId: string, category?: string): Entry | null => {
      for (const e of this.scopedEntries) {
        if (!e.covers(ruleId, category)) continue;
        let h = holds.get(e);
        if (h === undefined) holds.set(e, (h = e.holdsFor(event, view)));
        if (h) return e;
      }
      return null;
    };
    return {
      entryFor: (ruleId, category) => find(ruleId, category)?.stats ?? null,
      suppress: (ruleId, category) => {
        const e = find(ruleId, category);
        if (e === null) return false;
        e.count(ruleId);
        return true;
      },
    };
  }

  /** Counters per entry, in entry order (copies). */
  stats(): AllowEntryStats[] {
    return this.entries.map((e) => ({ ...e.stats, byRule: { ...e.stats.byRule } }));
  }

  /** After a reload: carry counters of entries that kept their id, so a SIGHUP does not zero what users see. */
  adoptCounters(previous: Allowlist): void {
    const old = new Map(previous.entries.map((e) => [e.stats.id, e]));
    for (const e of this.entries) {
      const o = old.get(e.stats.id);
      if (!o) continue;
      e.stats.withheld += o.stats.withheld;
      for (const [rule, n] of Object.entries(o.stats.byRule)) e.count(rule, n);
    }
  }
}
