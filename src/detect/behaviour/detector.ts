/**
 * BehaviourDetector: per-IP leaky-bucket scenarios and window features, from event times only.
 *
 * Per event: find (or evict for) the IP's record; clamp a late event to the IP's latest time; derive what the event
 * brings (derive(): hashes, User-Agent facts, page or sub-resource (resource.ts), what it teaches the site profile),
 * then apply that to the record (apply(): close the IP's window if the event starts a new one; leak every bucket by
 * the elapsed time; update window counters and sketches; pour tokens into the scenario buckets). An IP's first event
 * is usually parked as its derived quantities and applied when the IP comes back (ip-table.ts, quantities.ts).
 * A bucket that overflows alerts once with its count, then at most once per cooldownMs with an updated count, and
 * stays "overflowing" until it has leaked empty — so a returning client is a fresh overflow, which feeds recurrence.
 * The bucket mechanics (pour, leak to empty, overflow, cooldown, the detection text) are in buckets.ts; the keyed
 * scenarios (keyed/) run beside the record ones on every event.
 */
import type { HttpEvent, Detection } from '../../core/index.js';
import type { Detector } from '../types.js';
import { parseBehaviourConfig, type BehaviourConfig } from './config.js';
import { BehaviourState, UA_FACTS_MEMO } from './state.js';
import {
  W as W_,
  H as H_,
  B as B_,
  NO_WINDOW,
  COUNTED_HITS,
  IP_FLAG_ASSETS,
  SLOW_LEVEL_MASK,
  SLOW_OVERFLOWING,
  SCENARIO_COUNT,
  GAP_BINS,
  UA_FACT_BROWSER,
  UA_FACT_HEADLESS,
  UA_FACT_GOOD_BOT,
  UA_FACT_BOT_SHIFT,
} from './ip-table.js';
import {
  BITMAP_PATH_WORDS,
  BITMAP_UA_WORDS,
  BITMAP_JA4_WORDS,
  RING_PATH_SIZE,
  RING_4XX_SIZE,
} from './ip-table.js';
import { SCENARIOS, S as S_ } from './scenarios.js';
import { GoodBotMatcher, KNOWN_BOT_TOKENS, claimsBrowser, type BotClaimListener, type BotVerdictLookup } from './good-bots.js';
import { LoginPathMatcher, numericLastSegment, refererFamilyHash } from './paths.js';
import { ResourceClassifier } from './resource.js';
import { bitmapAdd, hashString, histAdd, ringHas, ringPut, MAX_HASHED_CHARS } from './sketch.js';
import { gapBin } from './windows.js';
import { KeyedScenarios, randomLastSegment } from './keyed/index.js';
import { ScenarioBuckets } from './buckets.js';
import {
  EventQuantities,
  Q_ASSET,
  Q_PAGE,
  Q_4XX,
  Q_404,
  Q_POST,
  Q_DIRECT,
  Q_HEADERS,
  Q_PROBE,
  Q_CRAWL,
  Q_BRUTE,
  Q_HEADLESS,
  Q_JA4,
} from './quantities.js';

export interface BehaviourDeps {
  /** Verdicts of a BotVerifier run by the pipeline; without it, a crawler's User-Agent claim is believed. */
  botVerdicts?: BotVerdictLookup;
  /** Told of a crawler claim from an IP without a verdict, so the pipeline can verify it off the hot path. */
  onBotClaim?: BotClaimListener;
}

// Module-local copies of the slot layout: some loaders (tsx) turn imported bindings into getter calls, which would
// cost a call per field access on the hot path.
const W = W_;
const H = H_;
const B = B_;
const S = S_;
/** Scenarios with a float32 bucket in the record; slow-probing (the last) has a byte of its own. */
const N = SCENARIO_COUNT;
if (SCENARIOS.length !== N + 1 || S.slowProbing !== N) throw new Error('behaviour: scenario table and record disagree');
const MAX_U32 = 0xffffffff;
/** Where a parked first event's application puts detections: none ever come (describe() would throw). */
const NO_DETECTIONS: Detection[] = [];

export class BehaviourDetector implements Detector<BehaviourState> {
  readonly name = 'behaviour';
  readonly config: BehaviourConfig;
  private readonly bots: GoodBotMatcher;
  private readonly login: LoginPathMatcher;
  private readonly resources: ResourceClassifier;
  private readonly buckets: ScenarioBuckets;
  private readonly probeStatuses: Set<number>;
  private readonly loginStatuses: Set<number>;
  private readonly authStatuses: Set<number>;
  private readonly keyed: KeyedScenarios;
  /** No bucket holds less than one token: a first event, one token at most per bucket, cannot alert. */
  private readonly firstHitSafe: boolean;
  /** The current event's quantities, and a parked event's (applied while the current one is half done). */
  private readonly q = new EventQuantities();
  private readonly parkedQ = new EventQuantities();
  /** How far the event being observed came behind its IP's latest event (ms; 0 on time): see floodLateCredit(). */
  private lateMs = 0;

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
    this.buckets = new ScenarioBuckets(c);
    this.probeStatuses = new Set(c.scenarios.httpProbing.statuses);
    this.loginStatuses = new Set(c.scenarios.bruteforce.statuses);
    this.authStatuses = new Set(c.scenarios.bruteforce.authStatuses);
    this.keyed = new KeyedScenarios(c);
    this.firstHitSafe = specs.every((s) => !s.enabled || s.capacity >= 1);
  }

  /** `behaviour/<scenario>` of every enabled scenario, keyed ones included: the ids a detection can carry. */
  ruleIds(): string[] {
    const ids = SCENARIOS.filter((_, s) => this.buckets.enabled[s]).map((spec) => `behaviour/${spec.id}`);
    return ids.concat(this.keyed.ruleIds());
  }

  createState(): BehaviourState {
    return new BehaviourState(this.config, this.bots.tokens, this.writeParked);
  }

  detect(batch: readonly HttpEvent[], state: BehaviourState): Detection[][] {
    const out: Detection[][] = new Array<Detection[]>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = this.observe(batch[i]!, state);
    return out;
  }

  /** Feeds one event; returns the detections it triggered (usually none). */
  observe(e: HttpEvent, st: BehaviourState): Detection[] {
    const found: Detection[] = [];
    this.lateMs = 0;
    let t = e.time;
    if (!Number.isFinite(t)) return found;
    st.counters.events++;
    const cfg = this.config;

    if (t > st.watermark) st.watermark = t;
    else if (t < st.watermark - cfg.rewindMs) {
      st.counters.rewinds++;
      st.flush();
      st.keyed.clear();
      st.watermark = t;
    }
    st.sweep();
    st.track(t);

    const table = st.table;
    const base = table.base;
    const q = this.q;
    let handle = table.find(e.ip);
    let slot: number;
    let last: number;
    if (handle < 0) {
      const victim = table.victim();
      if (victim >= 0) {
        st.closeWindow(victim);
        st.counters.evictions++;
      }
      handle = table.assign(e.ip, victim);
      // A first event is its own last time, as the record stores it (int32: a fraction before the base rounds up).
      last = ((t - base) | 0) + base;
      if (t < last) t = last;
      this.derive(e, t, -1, st, q);
      this.keyed.observe(e, t, (q.flags & Q_ASSET) !== 0, q.pathHash, st.keyed, found);
      if (this.parks(q, e, handle, st)) {
        st.counters.detections += found.length;
        return found;
      }
      slot = table.takeSlot(handle);
    } else {
      slot = table.tier[handle]! - 1;
      if (slot < 0) slot = this.promote(handle, st);
      // The last event time is also the last leak time (ip-table.ts): both were always set to the clamped time.
      last = table.i32[slot * W.stride + W.lastTime]! + base;
      if (t < last - cfg.rewindMs) {
        st.closeWindow(handle);
        table.clear(slot);
        st.counters.timelineResets++;
        last = t; // was: leakTime = t
      } else if (t < last) {
        this.lateMs = last - t;
        t = last; // a late arrival counts at the IP's latest time: buckets never run backwards
      }
      // Window: close on crossing into a later one (apply() opens the next). Done here, next to the other reads of
      // the record and its window end, so that their cache misses overlap; derive() reads no per-window field.
      if (table.u32[slot * W.stride + W.hits]! > 0 && t >= table.windowEnd[handle]! + base) st.closeWindow(handle);
      this.derive(e, t, slot, st, q);
      this.keyed.observe(e, t, (q.flags & Q_ASSET) !== 0, q.pathHash, st.keyed, found);
    }
    this.apply(q, last, handle, slot, st, e, found);
    st.counters.detections += found.length;
    return found;
  }

  /**
   * Parks the first event of a new IP (its quantities instead of a full record, ip-table.ts) when that is exact:
   * the compact tier is on, the quantities fit a parked record, and applying them to an empty record does not
   * alert (a parked event is applied later without its strings, and an alert is due now). Registers the IP's window
   * as apply() would have.
   */
  private parks(q: EventQuantities, e: HttpEvent, handle: number, st: BehaviourState): boolean {
    if (!this.config.compactFirstHit || !q.parkable()) return false;
    const table = st.table;
    if (!this.firstHitSafe) {
      // A bucket holds less than the one token a first event may pour: try the event on the scratch record.
      const trial: Detection[] = [];
      table.clear(table.scratch);
      this.apply(q, q.t, handle, table.scratch, st, e, trial, false);
      table.clear(table.scratch);
      if (trial.length > 0) return false;
    }
    q.store(table.parked, table.park(handle), table.base);
    st.windowOpened(handle, this.windowEndOf(q.t, table.base));
    return true;
  }

  /** Gives a parked IP a full record, its parked first event applied: as if it had had the record all along. */
  private promote(handle: number, st: BehaviourState): number {
    const table = st.table;
    const q = this.parkedQ.load(table.parked, table.parkedAt(handle), table.base);
    const slot = table.takeSlot(handle);
    this.applyParked(q, handle, slot, st);
    return slot;
  }

  /** BehaviourState's way to read a parked IP's record: written into the empty record `slot` (the scratch one). */
  private readonly writeParked = (st: BehaviourState, handle: number, slot: number): void => {
    const table = st.table;
    this.applyParked(this.parkedQ.load(table.parked, table.parkedAt(handle), table.base), handle, slot, st);
  };

  /** Applies a parked first event to the empty record `slot`, as the event did (or would have) when it came. */
  private applyParked(q: EventQuantities, handle: number, slot: number, st: BehaviourState): void {
    // Its window was registered when it came; no detection can come out (parks()), so no event is needed.
    this.apply(q, q.t, handle, slot, st, null, NO_DETECTIONS, false);
    if (st.table.windowEnd[handle] === NO_WINDOW) {
      // The window has been closed (and emitted) since: the record forgets it, as closeWindow() would have.
      const w = slot * W.stride;
      st.table.u32.fill(0, w + W.windowFirst, w + W.windowEnd);
    }
  }

  /** End (int32 ms from `base`) of the window time `t` falls in: windows are aligned to multiples of windowMs. */
  private windowEndOf(t: number, base: number): number {
    const windowMs = this.config.windowMs;
    const start = Math.floor(t / windowMs) * windowMs;
    return start + windowMs - base;
  }

  /**
   * What `e` (at the clamped time `t`) brings to its IP's record `slot` (-1: the IP's first event), into `q`: every
   * read of the event's strings, and every effect on shared state (hash and facts memos, bot verdicts, site
   * profiles), in the order observe() always made them. Reads the record (cached User-Agent facts, last page) but
   * does not write it: apply() does, from `q` alone.
   */
  private derive(e: HttpEvent, t: number, slot: number, st: BehaviourState, q: EventQuantities): void {
    const cfg = this.config;
    const table = st.table;
    const w = slot * W.stride;
    q.t = t;

    // Who is asking: User-Agent facts are cached per record, recomputed only when the User-Agent changes.
    const ua = e.userAgent;
    const uaHash = ua ? st.uaHashes.hash(ua) : 1;
    let facts: number;
    if (slot >= 0 && table.u32[w + W.uaHash] === uaHash) facts = table.u16[2 * w + H.uaFacts]!;
    else {
      // Fast path: the facts of this User-Agent were computed before (memo keyed by hash, as the record is).
      const k = uaHash & (UA_FACTS_MEMO - 1);
      facts = st.uaFactsValues[k]! - 1;
      if (facts < 0 || st.uaFactsKeys[k] !== uaHash) {
        facts = this.uaFactsOf(ua);
        st.uaFactsKeys[k] = uaHash;
        st.uaFactsValues[k] = facts + 1;
      }
    }
    let goodBot = false;
    if (facts >>> UA_FACT_BOT_SHIFT !== 0) {
      const verdict = this.deps.botVerdicts?.get(e.ip);
      const onClaim = this.deps.onBotClaim;
      if (verdict === undefined && onClaim !== undefined) onClaim(e.ip, this.bots.tokens[(facts >>> UA_FACT_BOT_SHIFT) - 1]!);
      goodBot = verdict !== 'fake' && (!cfg.goodBots.requireVerified || verdict === 'verified');
    }
    facts = goodBot ? facts | UA_FACT_GOOD_BOT : facts & ~UA_FACT_GOOD_BOT;
    const browser = (facts & UA_FACT_BROWSER) !== 0;
    q.uaHash = uaHash;
    q.facts = facts;

    // What is asked: page or sub-resource, and what it teaches the site profile.
    const path = e.path;
    const pathHash = st.pathHashes.hash(path);
    const site = st.sites.profile(e.host);
    const fresh = slot < 0; // an empty record: no last page
    const r = this.resources.classify(
      e,
      pathHash,
      site,
      st.sites,
      (fresh ? 0 : table.i32[w + W.lastPageTime]!) + table.base,
      fresh ? 0 : table.u32[w + W.lastPageHash]!,
      fresh ? 0 : table.u16[2 * w + H.lastPageLength]!,
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
    let flags = 0;
    q.pageLength = 0;
    if (isAsset) {
      flags = Q_ASSET;
      if (browser && site.assetSightings < MAX_U32) site.assetSightings++;
    } else if (!r.subresource && getOrHead && status < 400) {
      flags = Q_PAGE;
      q.pageLength = Math.min(path.length, MAX_HASHED_CHARS);
    }
    if (status >= 400 && status < 500) flags |= Q_4XX;
    if (status === 404) flags |= Q_404;
    if (method === 'POST') flags |= Q_POST;
    if (!e.referer) flags |= Q_DIRECT;
    let headerCount = 0;
    if (e.headers) {
      flags |= Q_HEADERS;
      for (const _ in e.headers) headerCount++;
    }
    q.headerCount = headerCount;
    q.ja4Hash = 0;
    if (e.ja4) {
      flags |= Q_JA4;
      q.ja4Hash = hashString(e.ja4);
    }

    // Scenario candidates; whether a path is new, and the IP's asset history, are the record's to say.
    // A random-looking name is a flood's cache miss, not a guess from a scanner's wordlist (keyed/not-found-flood);
    // a numeric one is a record id on the site's own route (a client walking product ids meets deleted ones).
    if (
      !isAsset &&
      this.probeStatuses.has(status) &&
      (getOrHead || method === 'POST') &&
      !randomLastSegment(path) &&
      !numericLastSegment(path)
    ) {
      flags |= Q_PROBE;
    }
    // Crawling is fetching pages that exist; a run of 4xx is probing's business, not counted twice.
    if (!goodBot && !isAsset && getOrHead && status < 400) flags |= Q_CRAWL;
    // Failed logins: a login form's failure answer to a POST, or an HTTP authentication challenge to a request that is
    // not a page's sub-resource (a browser not yet logged in gets a 401 for the page and each asset it links: one
    // challenge, not many guesses; a guessing tool sends no referer).
    // A 200 is a failure only from a form (re-rendered with an error; success redirects): an API's 200 is a success.
    if (
      (method === 'POST' && this.loginStatuses.has(status) && (status !== 200 || !isApiPath(path)) && this.login.matches(path)) ||
      (this.authStatuses.has(status) && !isAsset && !e.referer)
    ) {
      flags |= Q_BRUTE;
    }
    if (
      !isAsset &&
      !goodBot &&
      (facts & (UA_FACT_BROWSER | UA_FACT_HEADLESS)) !== 0 &&
      getOrHead &&
      status === 200 &&
      site.assetSightings >= cfg.scenarios.headless.minSiteAssetSightings &&
      !isApiPath(path) // a single-page app's API calls are no pages: it fetched its assets once, hours ago
    ) {
      flags |= Q_HEADLESS;
    }
    q.pathHash = pathHash;
    q.flags = flags;
  }

  /**
   * Applies an event's quantities to its IP's record `slot`, whose window, if open, is the event's: window, buckets,
   * counters, sketches, scenario tokens.
   * `last`: the record's previous event time (epoch ms). `e`: the event, for the text of detections; null when a
   * parked first event is applied, which cannot alert (parks()). `register`: open the window in the open-window FIFO
   * (not for a parked event, registered when it came, nor for a trial on the scratch record).
   */
  private apply(
    q: EventQuantities,
    last: number,
    handle: number,
    slot: number,
    st: BehaviourState,
    e: HttpEvent | null,
    found: Detection[],
    register = true,
  ): void {
    const t = q.t;
    const table = st.table;
    const base = table.base;
    const { i32, f32, u32, u16, u8 } = table;
    const w = slot * W.stride; // word index (i32, f32, u32 views)
    const h = 2 * w; // u16 index
    const b = 4 * w; // byte index
    const flags = q.flags;

    // Window: open lazily (observe() closed one the event crossed out of). Its start is windowEnd − windowMs.
    const hitsBefore = u32[w + W.hits]!;
    // The uint16 counters, header sum and gap histogram count the window's first COUNTED_HITS requests (ip-table.ts).
    const counting = hitsBefore < COUNTED_HITS;
    if (hitsBefore === 0) {
      if (register) st.windowOpened(handle, this.windowEndOf(t, base));
    } else if (counting) {
      // After a timeline reset the record is cleared (its last time reads as the base), but hits is 0 then.
      histAdd(u8, b + B.gapHist, GAP_BINS, gapBin(t - last));
    }
    i32[w + W.lastTime] = t - base;

    // Leak every bucket by the elapsed time; an overflowing bucket that drained empty is re-armed.
    const dt = t - last;
    if (dt > 0) {
      for (let s = 0; s < N; s++) {
        const before = f32[w + W.level + s]!;
        // Fast path: a level of 0 means the bucket is already empty (count, emitted, overflow bit cleared by
        // empty(), the only way a level becomes 0), and most buckets of most IPs are.
        if (before === 0) continue;
        const lv = before - dt / this.buckets.leakMs[s]!;
        if (lv > 0) f32[w + W.level + s] = lv;
        else this.buckets.empty(table, w, s);
      }
      // slow-probing: whole tokens, one per multiple of its leakMs crossed since the last event (exact: no rounding).
      const slow = u8[b + B.slowProbing]!;
      if (slow !== 0) {
        const leakMs = this.buckets.leakMs[S.slowProbing]!;
        const ticks = Math.floor(t / leakMs) - Math.floor(last / leakMs);
        if (ticks > 0) {
          const lv = (slow & SLOW_LEVEL_MASK) - ticks;
          if (lv > 0) u8[b + B.slowProbing] = (slow & SLOW_OVERFLOWING) | lv;
          else this.buckets.emptySlow(table, w);
        }
      }
    }

    const prevUa = u32[w + W.uaHash]!;
    u32[w + W.uaHash] = q.uaHash;
    u16[h + H.uaFacts] = q.facts;
    const isAsset = (flags & Q_ASSET) !== 0;
    if ((flags & Q_PAGE) !== 0) {
      u32[w + W.lastPageHash] = q.pathHash;
      u16[h + H.lastPageLength] = q.pageLength;
      i32[w + W.lastPageTime] = t - base;
    }
    if (isAsset) u8[b + B.ipFlags] = u8[b + B.ipFlags]! | IP_FLAG_ASSETS;

    // Window counters (pages = hits − assets, not stored).
    u32[w + W.hits] = hitsBefore + 1;
    if (counting) {
      if (isAsset) u16[h + H.assets]!++;
      if ((flags & Q_4XX) !== 0) u16[h + H.status4xx]!++;
      if ((flags & Q_404) !== 0) u16[h + H.status404]!++;
      if ((flags & Q_POST) !== 0) u16[h + H.posts]!++;
      if ((flags & Q_DIRECT) !== 0) u16[h + H.direct]!++;
      if ((flags & Q_HEADERS) !== 0) {
        u32[w + W.headerSum] = Math.min(MAX_U32, u32[w + W.headerSum]! + q.headerCount);
        u16[h + H.headerKnown]!++;
      }
    }
    const pathHash = q.pathHash;
    bitmapAdd(u32, w + W.pathBits, BITMAP_PATH_WORDS, pathHash);
    const newUa = bitmapAdd(u32, w + W.uaBits, BITMAP_UA_WORDS, q.uaHash);

    // Scenario tokens.
    const sc = this.config.scenarios;
    if ((flags & Q_PROBE) !== 0 && !ringHas(u16, h + H.ring4xx, RING_4XX_SIZE, pathHash)) {
      const pos = u8[b + B.ringPos]!;
      const next = ringPut(u16, h + H.ring4xx, RING_4XX_SIZE, pos >>> 4, pathHash);
      u8[b + B.ringPos] = (pos & 0x0f) | (next << 4);
      this.buckets.pour(S.probing, 1, e, t, slot, st, found);
      // Known good bots follow stale links for hours; at the slow rate that is all they would ever be caught for.
      if ((q.facts & UA_FACT_GOOD_BOT) === 0) this.buckets.pourSlow(e, t, slot, st, found);
    }
    const newPath = !ringHas(u16, h + H.ringPath, RING_PATH_SIZE, pathHash);
    if (newPath) {
      const pos = u8[b + B.ringPos]!;
      const next = ringPut(u16, h + H.ringPath, RING_PATH_SIZE, pos & 0x0f, pathHash);
      u8[b + B.ringPos] = (pos & 0xf0) | next;
      if ((flags & Q_CRAWL) !== 0) this.buckets.pour(S.crawl, 1, e, t, slot, st, found);
    }
    if ((flags & Q_BRUTE) !== 0) this.buckets.pour(S.bruteforce, 1, e, t, slot, st, found);
    this.buckets.pour(S.flood, (isAsset ? sc.requestFlood.assetWeight : 1) * this.floodLateCredit(), e, t, slot, st, found);
    // A new User-Agent pours a token; switching back to one seen in the window pours switchWeight (a client cycling
    // through a few); the previous request's User-Agent again credits reuseCredit back.
    const uaTokens = newUa ? 1 : q.uaHash !== prevUa ? sc.uaRotation.switchWeight : -sc.uaRotation.reuseCredit;
    this.buckets.pour(S.uaRotation, uaTokens, e, t, slot, st, found);
    if ((flags & Q_JA4) !== 0) {
      const newJa4 = bitmapAdd(u32, w + W.ja4Bits, BITMAP_JA4_WORDS, q.ja4Hash);
      this.buckets.pour(S.ja4Rotation, newJa4 ? 1 : -sc.ja4Rotation.reuseCredit, e, t, slot, st, found);
    }
    if (isAsset) {
      // A client that fetches sub-resources is a browser: forget any headless suspicion.
      this.buckets.empty(table, w, S.headless);
    } else if (newPath && (flags & Q_HEADLESS) !== 0 && (u8[b + B.ipFlags]! & IP_FLAG_ASSETS) === 0) {
      // Distinct pages only: one page requested over and over is a flood's business, not a headless reader's.
      this.buckets.pour(S.headless, 1, e, t, slot, st, found);
    }
  }

  /**
   * Share of a flood token that a late arrival (lateMs behind its IP's latest event) pours. Counted at the latest
   * time, a late request would have leaked nothing, so a minute of requests logged in shuffled order (one of the
   * benign logs writes each minute's lines out of order) piled up at the minute's last second as a flood. Had it
   * come in order, its token would have leaked lateMs / leakMs if the bucket was otherwise idle; whether it was is
   * not known, so the share falls from 1 (on time) to 0 at capacity × leakMs (6 s by default, the time a full bucket
   * takes to drain): a flood logged with a second of jitter still fills the bucket at several times its leak rate.
   */
  private floodLateCredit(): number {
    const late = this.lateMs;
    if (late === 0) return 1;
    const horizon = this.buckets.capacity[S.flood]! * this.buckets.leakMs[S.flood]!;
    return late >= horizon ? 0 : 1 - late / horizon;
  }

  private uaFactsOf(ua: string | null): number {
    const bot = this.bots.match(ua);
    const headlessUa = ua !== null && ua.includes('HeadlessChrome');
    return (claimsBrowser(ua) ? UA_FACT_BROWSER : 0) | (headlessUa ? UA_FACT_HEADLESS : 0) | ((bot + 1) << UA_FACT_BOT_SHIFT);
  }

}

/** JSON APIs answer a failed login with 401/403 and a successful one with 200 (a token). */
export function isApiPath(path: string): boolean {
  return path.includes('/api/') || path.endsWith('/token');
}
