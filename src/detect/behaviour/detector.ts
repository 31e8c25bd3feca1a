/**
 * BehaviourDetector: per-IP leaky-bucket scenarios and window features, from event times only.
 *
 * Per event: find (or evict for) the IP's slot; clamp a late event to the IP's latest time; close the IP's window
 * if the event starts a new one; leak every bucket by the elapsed time; classify the request as page or
 * sub-resource (resource.ts); update window counters and sketches; pour tokens into the scenario buckets.
 * A bucket that overflows alerts once with its count, then at most once per cooldownMs with an updated count, and
 * stays "overflowing" until it has leaked empty — so a returning client is a fresh overflow, which feeds recurrence.
 */
import type { HttpEvent } from '../../core/event.js';
import type { Detection, Severity } from '../../core/detection.js';
import { truncateFragment } from '../../core/detection.js';
import type { Detector } from '../types.js';
import { parseBehaviourConfig, type BehaviourConfig } from './config.js';
import { BehaviourState, UA_FACTS_MEMO } from './state.js';
import {
  F as F_,
  L as L_,
  U as U_,
  UA_FACT_BROWSER,
  UA_FACT_HEADLESS,
  UA_FACT_GOOD_BOT,
} from './ip-table.js';
import {
  BITMAP_PATH_WORDS,
  BITMAP_UA_WORDS,
  BITMAP_JA4_WORDS,
  RING_PATH_SIZE,
  RING_4XX_SIZE,
} from './ip-table.js';
import { SCENARIOS, S as S_, escalate } from './scenarios.js';
import { GoodBotMatcher, KNOWN_BOT_TOKENS, claimsBrowser, type BotVerdictLookup } from './good-bots.js';
import { LoginPathMatcher, refererFamilyHash } from './paths.js';
import { ResourceClassifier } from './resource.js';
import { bitmapAdd, hashString, ringHas, ringPut, bitmapEstimate, MAX_HASHED_CHARS } from './sketch.js';
import { gapBin } from './windows.js';

export interface BehaviourDeps {
  /** Verdicts of a BotVerifier run by the pipeline; without it, a crawler's User-Agent claim is believed. */
  botVerdicts?: BotVerdictLookup;
}

// Module-local copies of the slot layout: some loaders (tsx) turn imported bindings into getter calls, which would
// cost a call per field access on the hot path.
const F = F_;
const L = L_;
const U = U_;
const S = S_;
const N = SCENARIOS.length;
// The u32 and f32 views share one record geometry (ip-table.ts), so one base index serves both.
if (L.stride !== U.stride) throw new Error('behaviour: f32 and u32 slot strides differ');
const MAX_U32 = 0xffffffff;

export class BehaviourDetector implements Detector<BehaviourState> {
  readonly name = 'behaviour';
  readonly config: BehaviourConfig;
  private readonly bots: GoodBotMatcher;
  private readonly login: LoginPathMatcher;
  private readonly resources: ResourceClassifier;
  private readonly enabled: boolean[];
  private readonly capacity: Float64Array;
  private readonly leakMs: Float64Array;
  private readonly severity: Severity[];
  private readonly probeStatuses: Set<number>;
  private readonly loginStatuses: Set<number>;

  constructor(
    config: unknown = {},
    private readonly deps: BehaviourDeps = {},
  ) {
    this.config = parseBehaviourConfig(config);
    const c = this.config;
    this.bots = new GoodBotMatcher(c.goodBots.tokens ?? KNOWN_BOT_TOKENS);
    this.login = new LoginPathMatcher(
      c.scenarios.bruteforce.pathSuffixes,
      c.scenarios.bruteforce.pathPrefixes,
    );
    this.resources = new ResourceClassifier(c.assets);
    const specs = SCENARIOS.map((s) => c.scenarios[s.configKey]);
    this.enabled = specs.map((s) => s.enabled);
    this.capacity = Float64Array.from(specs.map((s) => s.capacity));
    this.leakMs = Float64Array.from(specs.map((s) => s.leakMs));
    this.severity = specs.map((s) => s.severity);
    this.probeStatuses = new Set(c.scenarios.httpProbing.statuses);
    this.loginStatuses = new Set(c.scenarios.bruteforce.statuses);
  }

  createState(): BehaviourState {
    return new BehaviourState(this.config, this.bots.tokens);
  }

  detect(batch: readonly HttpEvent[], state: BehaviourState): Detection[][] {
    const out: Detection[][] = new Array<Detection[]>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = this.observe(batch[i]!, state);
    return out;
  }

  /** Feeds one event; returns the detections it triggered (usually none). */
  observe(e: HttpEvent, st: BehaviourState): Detection[] {
    const found: Detection[] = [];
    let t = e.time;
    if (!Number.isFinite(t)) return found;
    st.counters.events++;
    const cfg = this.config;

    if (t > st.watermark) st.watermark = t;
    else if (t < st.watermark - cfg.rewindMs) {
      st.counters.rewinds++;
      st.flush();
      st.watermark = t;
    }
    st.sweep();

    const table = st.table;
    let slot = table.find(e.ip);
    if (slot < 0) {
      const victim = table.victim();
      if (victim >= 0) {
        st.closeWindow(victim);
        st.counters.evictions++;
      }
      slot = table.assign(e.ip, victim);
      table.f64[slot * F.stride + F.lastTime] = t;
      table.f64[slot * F.stride + F.leakTime] = t;
    }
    const { f64, f32, u32 } = table;
    const f = slot * F.stride;
    const u = slot * U.stride; // also the f32 base (same stride)
    const l = u;

    const last = f64[f + F.lastTime]!;
    if (t < last - cfg.rewindMs) {
      st.closeWindow(slot);
      table.clear(slot);
      st.counters.timelineResets++;
      f64[f + F.leakTime] = t;
    } else if (t < last) t = last; // a late arrival counts at the IP's latest time: buckets never run backwards

    // Window: close on crossing into a later one, open lazily.
    const windowMs = cfg.windowMs;
    if (u32[u + U.hits]! > 0 && t >= f64[f + F.windowStart]! + windowMs) st.closeWindow(slot);
    const hitsBefore = u32[u + U.hits]!;
    if (hitsBefore === 0) {
      const start = Math.floor(t / windowMs) * windowMs;
      f64[f + F.windowStart] = start;
      st.windowOpened(slot, start + windowMs);
    } else {
      u32[u + U.gapHist + gapBin(t - f64[f + F.lastTime]!)]!++;
    }
    f64[f + F.lastTime] = t;

    // Leak every bucket by the elapsed time; an overflowing bucket that drained empty is re-armed.
    const dt = t - f64[f + F.leakTime]!;
    if (dt > 0) {
      f64[f + F.leakTime] = t;
      for (let s = 0; s < N; s++) {
        const before = f32[l + L.level + s]!;
        // Fast path: a level of 0 means the bucket is already empty (count, emitted, overflow bit cleared by
        // empty(), the only way a level becomes 0), and most buckets of most IPs are.
        if (before === 0) continue;
        const lv = before - dt / this.leakMs[s]!;
        if (lv > 0) f32[l + L.level + s] = lv;
        else this.empty(f32, u32, l, u, s);
      }
    }

    // Who is asking: cache User-Agent facts per slot, recomputed only when the User-Agent changes.
    const ua = e.userAgent;
    const uaHash = ua ? st.uaHashes.hash(ua) : 1;
    if (u32[u + U.uaHash] !== uaHash) {
      u32[u + U.uaHash] = uaHash;
      // Fast path: the facts of this User-Agent were computed before (memo keyed by hash, as the slot is).
      const k = uaHash & (UA_FACTS_MEMO - 1);
      let cached = st.uaFactsValues[k]! - 1;
      if (cached < 0 || st.uaFactsKeys[k] !== uaHash) {
        cached = this.uaFactsOf(ua);
        st.uaFactsKeys[k] = uaHash;
        st.uaFactsValues[k] = cached + 1;
      }
      u32[u + U.uaFacts] = cached;
    }
    let facts = u32[u + U.uaFacts]!;
    let goodBot = false;
    if (facts >>> 8 !== 0) {
      const verdict = this.deps.botVerdicts?.get(e.ip);
      goodBot = verdict !== 'fake' && (!cfg.goodBots.requireVerified || verdict === 'verified');
    }
    facts = goodBot ? facts | UA_FACT_GOOD_BOT : facts & ~UA_FACT_GOOD_BOT;
    u32[u + U.uaFacts] = facts;
    const browser = (facts & UA_FACT_BROWSER) !== 0;

    // What is asked: page or sub-resource, and what it teaches the site profile.
    const pathHash = st.pathHashes.hash(e.path);
    const site = st.sites.profile(e.host);
    const r = this.resources.classify(
      e,
      pathHash,
      site,
      st.sites,
      f64[f + F.lastPageTime]!,
      u32[u + U.lastPageHash]!,
      u32[u + U.lastPageLength]!,
      t,
    );
    const isAsset = r.asset;
    if (r.subresource && browser && !goodBot) {
      // The referring page proved to be a document; the request, unless already known as an asset, earns a vote.
      // The page's family is read from the referer (its path is the page's: the hashes matched) rather than stored
      // per page load, which cost a family hash on every page of every visitor.
      st.sites.voteDocument(site, refererFamilyHash(e.referer!));
      if (!isAsset) st.sites.voteSubresource(site, r.family(), hashString(e.ip));
    }
    const method = e.method;
    const getOrHead = method === 'GET' || method === 'HEAD';
    const status = e.status;
    if (!isAsset && !r.subresource && getOrHead && status < 400) {
      u32[u + U.lastPageHash] = pathHash;
      u32[u + U.lastPageLength] = Math.min(e.path.length, MAX_HASHED_CHARS);
      f64[f + F.lastPageTime] = t;
    }
    if (isAsset) {
      if (browser && site.assetSightings < MAX_U32) site.assetSightings++;
      if (u32[u + U.assetsEver]! < MAX_U32) u32[u + U.assetsEver]!++;
    }

    // Window counters.
    u32[u + U.hits] = hitsBefore + 1;
    u32[u + (isAsset ? U.assets : U.pages)]!++;
    if (status >= 400 && status < 500) u32[u + U.status4xx]!++;
    if (status === 404) u32[u + U.status404]!++;
    if (method === 'POST') u32[u + U.posts]!++;
    if (!e.referer) u32[u + U.direct]!++;
    if (e.headers) {
      let n = 0;
      for (const _ in e.headers) n++;
      u32[u + U.headerSum] = u32[u + U.headerSum]! + n;
      u32[u + U.headerKnown]!++;
    }
    bitmapAdd(u32, u + U.pathBits, BITMAP_PATH_WORDS, pathHash);
    const newUa = bitmapAdd(u32, u + U.uaBits, BITMAP_UA_WORDS, uaHash);

    // Scenario tokens.
    const sc = cfg.scenarios;
    if (this.probeStatuses.has(status) && (getOrHead || method === 'POST') && !isAsset) {
      if (!ringHas(u32, u + U.ring4xx, RING_4XX_SIZE, pathHash)) {
        u32[u + U.ring4xxPos] = ringPut(u32, u + U.ring4xx, RING_4XX_SIZE, u32[u + U.ring4xxPos]!, pathHash);
        this.pour(S.probing, 1, e, t, slot, st, found);
      }
    }
    if (!ringHas(u32, u + U.ringPath, RING_PATH_SIZE, pathHash)) {
      u32[u + U.ringPathPos] = ringPut(
        u32,
        u + U.ringPath,
        RING_PATH_SIZE,
        u32[u + U.ringPathPos]!,
        pathHash,
      );
      // Crawling is fetching pages that exist; a run of 4xx is probing's business, not counted twice.
      if (!goodBot && !isAsset && getOrHead && status < 400) this.pour(S.crawl, 1, e, t, slot, st, found);
    }
    if (method === 'POST' && this.loginStatuses.has(status) && this.login.matches(e.path)) {
      this.pour(S.bruteforce, 1, e, t, slot, st, found);
    }
    this.pour(S.flood, isAsset ? sc.requestFlood.assetWeight : 1, e, t, slot, st, found);
    this.pour(S.uaRotation, newUa ? 1 : -sc.uaRotation.reuseCredit, e, t, slot, st, found);
    if (e.ja4) {
      const newJa4 = bitmapAdd(u32, u + U.ja4Bits, BITMAP_JA4_WORDS, hashString(e.ja4));
      this.pour(S.ja4Rotation, newJa4 ? 1 : -sc.ja4Rotation.reuseCredit, e, t, slot, st, found);
    }
    if (isAsset) {
      // A client that fetches sub-resources is a browser: forget any headless suspicion.
      this.empty(f32, u32, l, u, S.headless);
    } else if (
      !goodBot &&
      (facts & (UA_FACT_BROWSER | UA_FACT_HEADLESS)) !== 0 &&
      getOrHead &&
      status === 200 &&
      u32[u + U.assetsEver] === 0 &&
      site.assetSightings >= sc.headless.minSiteAssetSightings
    ) {
      this.pour(S.headless, 1, e, t, slot, st, found);
    }
    st.counters.detections += found.length;
    return found;
  }

  private uaFactsOf(ua: string | null): number {
    const bot = this.bots.match(ua);
    const headlessUa = ua !== null && ua.includes('HeadlessChrome');
    return (claimsBrowser(ua) ? UA_FACT_BROWSER : 0) | (headlessUa ? UA_FACT_HEADLESS : 0) | ((bot + 1) << 8);
  }

  /** An empty bucket forgets its count and, if it was overflowing, is re-armed for a fresh overflow. */
  private empty(f32: Float32Array, u32: Uint32Array, l: number, u: number, s: number): void {
    u32[u + U.overflowMask] = u32[u + U.overflowMask]! & ~(1 << s);
    f32[l + L.level + s] = 0;
    f32[l + L.count + s] = 0;
    f32[l + L.emitted + s] = 0;
  }

  /**
   * Adds `amount` tokens (negative: credit back) to scenario `s`; overflow and cooldown decide what is emitted.
   * `cause` is the scenario whose fresh overflow feeds recurrence (it names the recurrence detection's category).
   */
  private pour(
    s: number,
    amount: number,
    e: HttpEvent,
    t: number,
    slot: number,
    st: BehaviourState,
    found: Detection[],
    cause = s,
  ): void {
    if (!this.enabled[s]) return;
    const { f64, f32, u32 } = st.table;
    const l = slot * L.stride;
    const u = slot * U.stride;
    const f = slot * F.stride;
    const bit = 1 << s;
    const cap = this.capacity[s]!;
    const level = f32[l + L.level + s]! + amount;
    if (level <= 0) {
      this.empty(f32, u32, l, u, s);
      return;
    }

    if ((u32[u + U.overflowMask]! & bit) !== 0) {
      f32[l + L.level + s] = level < cap ? level : cap;
      u32[u + U.trippedMask] = u32[u + U.trippedMask]! | bit;
      if (amount <= 0) return;
      const count = f32[l + L.count + s]! + amount;
      f32[l + L.count + s] = count;
      if (t - f64[f + F.alertTime + s]! >= this.config.cooldownMs && count > f32[l + L.emitted + s]!) {
        f64[f + F.alertTime + s] = t;
        f32[l + L.emitted + s] = count;
        found.push(this.describe(s, count, true, e, st, slot, cause));
      }
      return;
    }
    const count = amount > 0 ? f32[l + L.count + s]! + amount : f32[l + L.count + s]!;
    f32[l + L.count + s] = count;
    if (level <= cap) {
      f32[l + L.level + s] = level;
      return;
    }
    // Fresh overflow. It feeds recurrence when nothing else of this IP is overflowing (the client came back),
    // at most once per window.
    const othersOverflowing = (u32[u + U.overflowMask]! & ~(1 << S.recurrence)) !== 0;
    u32[u + U.overflowMask] = u32[u + U.overflowMask]! | bit;
    u32[u + U.trippedMask] = u32[u + U.trippedMask]! | bit;
    f32[l + L.level + s] = cap;
    f32[l + L.emitted + s] = count;
    f64[f + F.alertTime + s] = t;
    found.push(this.describe(s, count, false, e, st, slot, cause));
    if (s !== S.recurrence && !othersOverflowing && u32[u + U.windowRecurred] === 0) {
      u32[u + U.windowRecurred] = 1;
      this.pour(S.recurrence, 1, e, t, slot, st, found, s);
    }
  }

  private describe(
    s: number,
    count: number,
    repeat: boolean,
    e: HttpEvent,
    st: BehaviourState,
    slot: number,
    cause: number,
  ): Detection {
    const spec = SCENARIOS[s]!;
    // Recurrence speaks in the terms of what came back, one severity step up (at least high).
    const recurrence = s === S.recurrence;
    const severity = recurrence ? escalate(this.severity[cause]!, this.severity[s]!) : this.severity[s]!;
    const cap = this.capacity[s]!;
    const u32 = st.table.u32;
    const u = slot * U.stride;
    const rounded = Math.round(count * 10) / 10;
    const level = Math.round(st.table.f32[slot * L.stride + L.level + s]! * 10) / 10;
    const window =
      `window hits=${u32[u + U.hits]} 4xx=${u32[u + U.status4xx]} 404=${u32[u + U.status404]} ` +
      `posts=${u32[u + U.posts]} assets=${u32[u + U.assets]} ` +
      `distinctPaths≈${bitmapEstimate(u32, u + U.pathBits, BITMAP_PATH_WORDS)} ` +
      `distinctUAs≈${bitmapEstimate(u32, u + U.uaBits, BITMAP_UA_WORDS)}`;
    const detail =
      `${spec.id}: ${rounded} ${spec.token} overflowed capacity ${cap} (level ${level}, leak 1 per ${this.leakMs[s]! / 1000}s)` +
      `${repeat ? ', still overflowing after cooldown' : ''}` +
      `${recurrence ? `; came back with ${SCENARIOS[cause]!.id}` : ''}; ${window}`;
    const fragment =
      s === S.uaRotation
        ? (e.userAgent ?? '-')
        : s === S.ja4Rotation
          ? (e.ja4 ?? '-')
          : `${e.method} ${e.path}`;
    return {
      ruleId: `behaviour/${spec.id}`,
      category: recurrence ? SCENARIOS[cause]!.category : spec.category,
      severity,
      confidence: Math.min(0.99, spec.confidence + 0.05 * Math.log2(Math.max(1, count / cap))),
      field: 'behaviour',
      fragment: truncateFragment(fragment),
      detail,
    };
  }
}
