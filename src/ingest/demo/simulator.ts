/**
 * The traffic simulator: sessions of every actor start as a Poisson process whose rate gives the wanted
 * lines per second and mix; their hits are merged by time into nginx `combined` lines.
 */
import { ConfigError } from '../../core/index.js';
import { bruteforceModel } from './actors/bruteforce.js';
import { browserModel } from './actors/browser.js';
import { floodModel } from './actors/flood.js';
import { goodBotModel } from './actors/good-bot.js';
import { injectionModel } from './actors/injection.js';
import { scannerModel } from './actors/scanner.js';
import { scraperModel } from './actors/scraper.js';
import { ja4Of, type DemoFormat } from './ja4.js';
import { Random, weightedTable, type Seed, type WeightedTable } from './random.js';
import { SessionQueue } from './session-queue.js';
import { timeLocalFormatter } from './time-local.js';
import { ACTORS, type Actor, type ActorModel, type DemoLine, type Hit, type Session } from './types.js';

/** Share of lines per actor: mostly benign, attacks few enough to stand out. */
export const DEFAULT_MIX: Readonly<Record<Actor, number>> = {
  browser: 0.75,
  good_bot: 0.08,
  scanner: 0.06,
  bruteforce: 0.03,
  injection: 0.03,
  flood: 0.02,
  scraper: 0.03,
};

/** 2025-01-15 08:00:00 UTC: a fixed default so the same seed gives the same bytes. */
export const DEFAULT_START_TIME = Date.UTC(2025, 0, 15, 8, 0, 0);
export const DEFAULT_LINES_PER_SECOND = 25;

/**
 * Sessions last minutes, so a simulation started empty would ramp up slowly. It starts this far in the
 * past instead and drops what happened before `startTime`: the log opens mid-traffic, as a real one does.
 * Bounded in lines too, so a fast rate does not spend long warming up.
 */
const WARM_UP_MS = 15 * 60_000;
const WARM_UP_LINES = 30_000;

/** Each attack starts once in the first seconds, in this order, so a short log or a live demo shows all. */
const OPENING_ACT: readonly (readonly [Actor, number])[] = [
  ['scanner', 1_500],
  ['injection', 4_000],
  ['bruteforce', 6_000],
  ['flood', 10_000],
  ['scraper', 12_000],
];

export interface SimulationOptions {
  seed: Seed;
  /** Epoch ms of the first session; default DEFAULT_START_TIME. */
  startTime?: number;
  /** `$time_local` offset east of UTC in minutes; default 0 (`+0000`). */
  utcOffsetMinutes?: number;
  /** Average request rate, before floods add their own; default 25. */
  linesPerSecond?: number;
  /** Line share per actor (normalised; missing actors take their default, 0 turns one off). */
  mix?: Partial<Record<Actor, number>>;
  /** Start each attack once in the first 10 s; default true. */
  openingAct?: boolean;
  /** `combined` (default), or `ja4`: combined plus a quoted JA4 (DEMO_JA4_LOG_FORMAT); the requests are the same. */
  format?: DemoFormat;
}

export interface GenerateOptions extends SimulationOptions {
  /** How many lines to produce. */
  lines: number;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`demo.${name}`, `must be a positive number, got ${value}`);
  return value;
}

function createModels(rng: Random): Record<Actor, ActorModel> {
  return {
    browser: browserModel(rng),
    good_bot: goodBotModel(rng),
    scanner: scannerModel(rng),
    bruteforce: bruteforceModel(rng),
    injection: injectionModel(rng),
    flood: floodModel(rng),
    scraper: scraperModel(rng),
  };
}

function resolveMix(mix: Partial<Record<Actor, number>> | undefined): Record<Actor, number> {
  const shares = { ...DEFAULT_MIX, ...mix };
  let total = 0;
  for (const actor of Object.keys(shares)) {
    if (!(ACTORS as readonly string[]).includes(actor))
      throw new ConfigError(`demo.mix.${actor}`, 'unknown actor');
    const share = shares[actor as Actor];
    if (!Number.isFinite(share) || share < 0)
      throw new ConfigError(`demo.mix.${actor}`, `must be >= 0, got ${share}`);
    total += share;
  }
  if (total <= 0) throw new ConfigError('demo.mix', 'at least one actor needs a positive share');
  for (const actor of ACTORS) shares[actor] /= total;
  return shares;
}

/**
 * Endless, time-ordered lines: `next()` returns the following one. `generateLines` bounds it, the live
 * demo paces it against the clock. Options are checked in the constructor, before any line is made.
 */
export class TrafficSimulator {
  private readonly rng: Random;
  private readonly models: Record<Actor, ActorModel>;
  private readonly kinds: WeightedTable<ActorModel>;
  private readonly meanGapMs: number;
  private readonly formatTime: (epochMs: number) => string;
  private readonly queue = new SessionQueue();
  private order = 0;
  private nextStart: number;
  private readonly start: number;
  private readonly ja4: boolean;

  constructor(options: SimulationOptions) {
    const start = options.startTime ?? DEFAULT_START_TIME;
    if (!Number.isFinite(start))
      throw new ConfigError('demo.startTime', `must be epoch milliseconds, got ${start}`);
    const linesPerMs = positive('linesPerSecond', options.linesPerSecond ?? DEFAULT_LINES_PER_SECOND) / 1000;
    const shares = resolveMix(options.mix);
    this.formatTime = timeLocalFormatter(options.utcOffsetMinutes ?? 0);
    this.rng = new Random(options.seed);
    this.models = createModels(this.rng);

    // Session starts per ms such that sessions × their mean length give the wanted lines per ms.
    const active = ACTORS.filter((actor) => shares[actor] > 0).map((actor) => this.models[actor]);
    this.kinds = weightedTable(
      active.map((model) => [model, shares[model.actor] / model.meanLines] as const),
    );
    this.meanGapMs = 1 / (linesPerMs * active.reduce((sum, m) => sum + shares[m.actor] / m.meanLines, 0));

    if (options.openingAct ?? true) {
      for (const [actor, offset] of OPENING_ACT) {
        const model = this.models[actor];
        if (shares[actor] > 0 && model.opening) this.enqueue(model.opening(start + offset));
      }
    }
    this.start = start;
    const format = options.format ?? 'combined';
    if (format !== 'combined' && format !== 'ja4') throw new ConfigError('demo.format', `must be combined or ja4, got ${JSON.stringify(String(format).slice(0, 32))}`);
    this.ja4 = format === 'ja4';
    const warmUpMs = Math.min(WARM_UP_MS, WARM_UP_LINES / linesPerMs);
    this.nextStart = start - warmUpMs + this.rng.exponential(this.meanGapMs);
  }

  private enqueue(session: Session): void {
    const first = session.next();
    if (!first.done) this.queue.push({ hit: first.value, session, order: this.order++ });
  }

  next(): DemoLine {
    let hit = this.advance();
    while (hit.time < this.start) hit = this.advance();
    const time = Math.floor(hit.time);
    const request = hit.rawRequest ?? `${hit.method} ${hit.target} ${hit.protocol}`;
    let text = `${hit.label.ip} - - [${this.formatTime(time)}] "${request}" ${hit.status} ${hit.bytes} "${hit.referer}" "${hit.userAgent}"`;
    if (this.ja4) text += ` "${ja4Of(hit)}"`;
    return { text, label: hit.label, time };
  }

  /** The earliest pending hit of all sessions, starting new sessions when their time comes first. */
  private advance(): Hit {
    const queue = this.queue;
    let head = queue.peek();
    while (head === undefined || this.nextStart <= head.hit.time) {
      this.enqueue(this.rng.weighted(this.kinds).session(this.nextStart));
      this.nextStart += this.rng.exponential(this.meanGapMs);
      head = queue.peek();
    }
    const hit = head.hit;
    const next = head.session.next();
    if (next.done) queue.pop();
    else {
      head.hit = next.value;
      queue.siftDown();
    }
    return hit;
  }
}

export function checkLineCount(lines: number): number {
  if (!Number.isSafeInteger(lines) || lines < 0)
    throw new ConfigError('demo.lines', `must be a whole number >= 0, got ${lines}`);
  return lines;
}

/**
 * Exactly `lines` lines sorted by time. Each iteration starts afresh, and the same options always
 * give the same lines.
 */
export function generateLines(options: GenerateOptions): Iterable<DemoLine> {
  const lines = checkLineCount(options.lines);
  new TrafficSimulator(options); // reject bad options now rather than at the first iteration
  return {
    [Symbol.iterator](): Iterator<DemoLine, undefined> {
      const simulator = new TrafficSimulator(options);
      let made = 0;
      return {
        next: () =>
          made++ < lines ? { value: simulator.next(), done: false } : { value: undefined, done: true },
      };
    },
  };
}
