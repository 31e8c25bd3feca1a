/**
 * SiteKnowledge: learns per site which paths are its content and overrules sensitive-name rules with it.
 *
 * Line-at-a-time detection sees the first requests for a file before the file is known, so a hit that the
 * knowledge may still overrule (only content-able names, only when the site served it) is held back instead of
 * reported: it is judged again when it has waited `holdMs` of event time, when more than `maxHeld` hits wait, or at
 * `releaseHeld()` (shutdown, the end of an `analyze` run). A known path drops it; otherwise it is reported late,
 * unchanged. Misses (404), leak-class names and lines with any other detection are never held.
 *
 * It also knows which server-side script families (script-families.ts) each site has served to anyone: a 404 on a
 * script of a family the site does not run, which no rule flagged, is a probe for software the site lacks
 * (UNSERVED_SCRIPT_RULE). It is held back the same way and dropped if the site serves that family meanwhile, so the
 * first visitors of a PHP site are not flagged for its missing pages before its first PHP page was seen.
 */
import type { Detection, HttpEvent, ThreatEvent } from '../../core/index.js';
import type { BotVerdictLookup } from '../behaviour/index.js';
import { hashString } from '../behaviour/sketch.js';
import { scoreDetections } from '../score.js';
import { HeldHits, type HeldChanges } from './held-hits.js';
import { MIN_BODY, type PathEvidence } from './path-evidence.js';
import { scriptFamily, type ScriptFamily } from './script-families.js';
import { isExposedName, isServed, nameClass } from './sensitive-names.js';
import { DEFAULT_SITE, refererHost, sameSiteHost, siteKey } from './site-key.js';
import { SiteTable, type SiteTableJson } from './site-table.js';
import { resolveSiteOptions, type ContentVerdict, type ResolvedSiteOptions, type SiteKnowledgeOptions } from './types.js';

/** Paths longer than this are never learned (a probe can make them as long as it likes). */
const MAX_PATH = 512;
/** One in this many Referer-carrying requests of a host-less log feeds the own-host count. */
const REFERER_SAMPLE = 8;

export const EXPOSED_FILE_RULE = 'site/exposed-file';
export const UNSERVED_SCRIPT_RULE = 'site/unserved-script';

export interface SiteKnowledgeDeps {
  /** Verdicts of the bot DNS verifier; without it no request counts as a verified good bot. */
  botVerdicts?: BotVerdictLookup;
}

export interface SiteSnapshot {
  site: string;
  state: SiteTableJson;
}

export interface Review {
  detections: Detection[];
  /** Hold the event's threat back: it may still turn out to be the site's content. */
  hold: boolean;
}

export class SiteKnowledge {
  readonly options: ResolvedSiteOptions;
  private readonly sites = new Map<string, SiteTable>();
  private readonly held = new HeldHits();
  private tick = 0;
  /** Counters for explain and the eval: hits overruled as content, held, released as probes, leaks raised. */
  readonly counters = { overruled: 0, held: 0, releasedAsProbe: 0, leaks: 0, exposed: 0, unservedScripts: 0, scriptsServed: 0 };

  constructor(
    opts: SiteKnowledgeOptions = {},
    private readonly deps: SiteKnowledgeDeps = {},
  ) {
    this.options = resolveSiteOptions(opts);
  }

  /**
   * Every event passes here (cheap): which script families each site serves, and, for a host-less log, its own host
   * from a sample of Referers.
   */
  see(e: HttpEvent): void {
    if (isServed(e.status)) {
      const family = scriptFamily(e.path);
      if (family !== null) this.table(siteKey(e.host)).noteServedScript(family);
    }
    if (e.referer === null || e.host !== null) return;
    if (++this.tick < REFERER_SAMPLE) return;
    this.tick = 0;
    if (!isServed(e.status)) return;
    const host = refererHost(e.referer);
    if (host !== null) this.table(DEFAULT_SITE).noteRefererHost(host);
  }

  /**
   * For an event no detector flagged: a 404 (or 410) on a script of a family this site has not served, as a low
   * scanner detection (held back by review until the site has had holdMs to serve one); null otherwise.
   */
  unservedScript(e: HttpEvent): Detection | null {
    if ((e.status !== 404 && e.status !== 410) || e.path.length > MAX_PATH) return null;
    const family = scriptFamily(e.path);
    if (family === null || this.sites.get(siteKey(e.host))?.servesScript(family) === true) return null;
    this.counters.unservedScripts++;
    return {
      ruleId: UNSERVED_SCRIPT_RULE,
      category: 'scanner',
      severity: 'low',
      confidence: 0.6,
      field: 'path',
      fragment: e.path.slice(0, 200),
      detail: `${e.status} on a ${family} script: the site has served no ${family} script to anyone`,
    };
  }

  /** Learns from a flagged event and overrules (or holds) its sensitive-name detections. */
  review(e: HttpEvent, detections: Detection[]): Review {
    if (detections.length === 1 && detections[0]!.ruleId === UNSERVED_SCRIPT_RULE) {
      const hold = this.options.holdMs > 0;
      if (hold) this.counters.held++;
      return { detections, hold };
    }
    let contentable = false;
    let leak = false;
    for (const d of detections) {
      const c = nameClass(d);
      if (c === 'content-able') contentable = true;
      else if (c === 'leak') leak = true;
    }
    if ((!contentable && !leak) || e.path.length > MAX_PATH) return { detections, hold: false };
    const table = this.table(siteKey(e.host));
    const served = isServed(e.status);
    const withBody = served && e.bytes >= MIN_BODY;
    if (withBody) table.noteSize(e.bytes, hashString(e.path));
    let verdict: ContentVerdict | null = null;
    let ev: PathEvidence | undefined;
    if (contentable) {
      ev = table.evidence(e.path, true)!;
      ev.observe(
        {
          clientHash: hashString(e.ip),
          status: e.status,
          bytes: e.bytes,
          ownReferer: served && this.isOwnReferer(e, table),
          verifiedBot: served && this.deps.botVerdicts?.get(e.ip) === 'verified',
          time: e.time,
        },
        served,
      );
      verdict = served ? ev.judge(this.options, table.catchAllPaths(ev.refSize)) : null;
    }
    const out: Detection[] = [];
    let overruled = false;
    for (const d of detections) {
      const c = nameClass(d);
      if (c === 'leak' && withBody && table.catchAllPaths(e.bytes) === 0) {
        this.counters.leaks++;
        out.push({ ...d, severity: 'critical', detail: `answered ${e.status} with ${e.bytes} bytes: the file is exposed` });
      } else if (c === 'content-able' && verdict?.known === true) {
        overruled = true;
      } else out.push(d);
    }
    if (overruled) {
      this.counters.overruled++;
      const exposed = this.exposedFinding(e, ev!, verdict!);
      if (exposed) out.push(exposed);
    }
    const hold =
      served && contentable && verdict?.known !== true && out.length > 0 && this.options.holdMs > 0 && out.every((d) => nameClass(d) === 'content-able');
    if (hold) this.counters.held++;
    return { detections: out, hold };
  }

  hold(t: ThreatEvent): void {
    this.held.push(t);
  }

  /** Held threats due at event time `now` (or beyond the cap), judged again: the ones still probes. */
  release(now: number): ThreatEvent[] {
    const out: ThreatEvent[] = [];
    const { holdMs, maxHeld } = this.options;
    for (let t = this.held.peek(); t !== undefined; t = this.held.peek()) {
      if (this.held.size <= maxHeld && !(t.event.time + holdMs <= now)) break;
      this.rejudge(this.held.shift()!, out);
    }
    return out;
  }

  /** Every held threat, judged now (shutdown, the end of a replay). */
  releaseHeld(): ThreatEvent[] {
    const out: ThreatEvent[] = [];
    for (let t = this.held.shift(); t !== undefined; t = this.held.shift()) this.rejudge(t, out);
    return out;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Records what is held and judged from now on, for `takeHeldChanges` (serve keeps held hits in its store). */
  trackHeld(): void {
    this.held.track();
  }

  /** Held hits added and judged since the last call (null when none): stored with the batch that changed them. */
  takeHeldChanges(): HeldChanges | null {
    return this.held.take();
  }

  /** Hits held when the process stopped without judging them (kill -9), read back from the store. */
  restoreHeld(threats: readonly unknown[]): number {
    return this.held.restore(threats);
  }

  /** What the knowledge says about a path of a site (explain); null when it has no evidence for it. */
  verdict(host: string | null, path: string): ContentVerdict | null {
    const table = this.sites.get(siteKey(host));
    const ev = table?.peek(path);
    if (table === undefined || ev === undefined) return null;
    return ev.judge(this.options, table.catchAllPaths(ev.refSize));
  }

  snapshot(): SiteSnapshot[] {
    return [...this.sites].map(([site, t]) => ({ site, state: t.toJSON() }));
  }

  /** Restores stored snapshots (start-up); sites beyond the cap are dropped. */
  restore(snapshots: readonly SiteSnapshot[]): void {
    for (const s of snapshots) {
      if (typeof s.site !== 'string' || s.site.length > 253) continue;
      this.table(s.site).restore(s.state);
    }
  }

  private rejudge(t: ThreatEvent, out: ThreatEvent[]): void {
    const e = t.event;
    const table = this.sites.get(siteKey(e.host));
    if (t.detections[0]?.ruleId === UNSERVED_SCRIPT_RULE) {
      const family = scriptFamily(e.path) as ScriptFamily;
      if (table?.servesScript(family) === true) this.counters.scriptsServed++;
      else {
        this.counters.releasedAsProbe++;
        out.push(t);
      }
      return;
    }
    const ev = table?.peek(e.path);
    const verdict = table && ev ? ev.judge(this.options, table.catchAllPaths(ev.refSize)) : null;
    if (verdict?.known !== true) {
      this.counters.releasedAsProbe++;
      out.push(t);
      return;
    }
    this.counters.overruled++;
    const exposed = this.exposedFinding(e, ev!, verdict);
    if (exposed) out.push(threatOf(e, [exposed]));
  }

  /** The once-per-path low finding for known content whose kind is secret (a dump, a key, a password list). */
  private exposedFinding(e: HttpEvent, ev: PathEvidence, verdict: ContentVerdict): Detection | null {
    if (ev.exposedReported || !isExposedName(e.path)) return null;
    ev.exposedReported = true;
    this.counters.exposed++;
    return {
      ruleId: EXPOSED_FILE_RULE,
      category: 'sensitive_file',
      severity: 'low',
      confidence: 0.6,
      field: 'path',
      fragment: e.path.slice(0, 200),
      detail: `exposed file, reported once: ${verdict.reason}`,
    };
  }

  private isOwnReferer(e: HttpEvent, table: SiteTable): boolean {
    const ref = refererHost(e.referer);
    if (ref === null) return false;
    const own = table.site === DEFAULT_SITE ? table.ownHost() : table.site;
    return own !== null && sameSiteHost(ref, own);
  }

  private table(site: string): SiteTable {
    let t = this.sites.get(site);
    if (t !== undefined) return t;
    if (this.sites.size >= this.options.maxSites) this.sites.delete(this.sites.keys().next().value as string);
    t = new SiteTable(site, this.options.maxPathsPerSite);
    this.sites.set(site, t);
    return t;
  }
}

function threatOf(event: HttpEvent, detections: Detection[]): ThreatEvent {
  const v = scoreDetections(detections);
  return { event, detections, score: v.score, severity: v.severity, category: v.category };
}
