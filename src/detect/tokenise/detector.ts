/**
 * TokeniserDetector: runs each tokeniser over the decoded values of an event's path, query arguments,
 * user agent and referer; at most one detection per tokeniser and event (the first field that fires).
 *
 * Cost on benign traffic: a value made only of characters no injection needs (letters, digits, `/._-~,+`
 * and space) is skipped before any decoding, and the user agent and referer, which repeat from line to
 * line, go through a bounded cache of their verdicts (the detector's state).
 */
import type { Detection, HttpEvent } from '../../core/index.js';
import { forEachArg, TRANSFORMS } from '../transforms/index.js';
import type { Detector } from '../types.js';
import type { TokenFinding, TokenisedField, Tokeniser } from './types.js';

/** Longest value a tokeniser sees (after decoding); the rest of a longer value is not read. */
export const MAX_TOKENISED = 4096;
/**
 * Decoded characters tokenised per event, over all its fields: a hostile line at the 64 KB cap costs at most
 * two values at MAX_TOKENISED (the fields after the budget is spent are not tokenised; the rules still read them).
 */
export const MAX_TOKENISED_PER_EVENT = 2 * MAX_TOKENISED;
/** Query arguments inspected per event. */
export const MAX_TOKENISED_ARGS = 64;
/** Distinct user agents, and as many referers, whose verdicts are remembered (each cache is emptied when full). */
export const VERDICT_CACHE_SIZE = 4096;

/** The parts of an event tokenisers read. */
export type TokenisedEvent = Pick<HttpEvent, 'path' | 'query'> & Partial<Pick<HttpEvent, 'userAgent' | 'referer'>>;

type Verdicts = Map<string, readonly (TokenFinding | null)[] | null>;

export interface TokeniserState {
  /**
   * value -> the finding per tokeniser, or null when none fired; one map per field, because a tokeniser reads a
   * referer (another page's URL) differently from a user agent, so the same text can have two verdicts.
   */
  readonly verdicts: { readonly user_agent: Verdicts; readonly referer: Verdicts };
}

/** Characters that cannot start, end or join any token the tokenisers decide on. */
const PLAIN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-~,+ ') PLAIN[c.charCodeAt(0)] = 1;

/** True when every character of `s` is plain ASCII (then no tokeniser can fire). */
export function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || PLAIN[c] === 0) return false;
  }
  return true;
}

/** The value a tokeniser reads: `+` as space in query arguments, percent-decoded (up to 3 rounds), capped. */
export function tokenisedValue(raw: string, plusIsSpace: boolean): string {
  const capped = raw.length > MAX_TOKENISED * 3 ? raw.slice(0, MAX_TOKENISED * 3) : raw;
  const spaced = plusIsSpace && capped.indexOf('+') !== -1 ? capped.replaceAll('+', ' ') : capped;
  const decoded = spaced.indexOf('%') === -1 ? spaced : TRANSFORMS.urlDecode(spaced);
  return decoded.length > MAX_TOKENISED ? decoded.slice(0, MAX_TOKENISED) : decoded;
}

export class TokeniserDetector implements Detector<TokeniserState> {
  readonly name = 'tokens';

  constructor(readonly tokenisers: readonly Tokeniser[]) {}

  /** Rule ids this detector can emit (for the loaded-rules listing). */
  ruleIds(): string[] {
    return this.tokenisers.map((t) => t.ruleId);
  }

  createState(): TokeniserState {
    return { verdicts: { user_agent: new Map(), referer: new Map() } };
  }

  detect(batch: readonly HttpEvent[], state: TokeniserState): Detection[][] {
    return batch.map((e) => this.inspectEvent(e, state));
  }

  // Scratch for the event being inspected (detection is synchronous, so one set per detector suffices);
  // methods instead of per-event closures keep the clean-traffic path free of allocations.
  private out: Detection[] | null = null;
  private fired = 0;
  private budget = 0;
  private found: (TokenFinding | null)[] | null = null;
  private readonly onArg = (name: string, value: string): void => {
    if (this.budget <= 0 || value === '' || isPlain(value)) return;
    this.run(tokenisedValue(value, true), 'arg', `arg:${name.slice(0, 64)}`);
  };

  inspectEvent(e: TokenisedEvent, state?: TokeniserState): Detection[] {
    if (this.tokenisers.length === 0) return NONE;
    this.out = null;
    this.fired = 0;
    this.budget = MAX_TOKENISED_PER_EVENT;
    if (!isPlain(e.path)) this.run(tokenisedValue(e.path, false), 'path', 'path');
    if (e.query !== '' && !isPlain(e.query)) {
      forEachArg(e.query, MAX_TOKENISED_ARGS, this.onArg);
    }
    this.cached(e.userAgent ?? null, 'user_agent', state);
    this.cached(e.referer ?? null, 'referer', state);
    const out = this.out;
    this.out = null;
    return out ?? NONE;
  }

  private fire(i: number, f: TokenFinding, field: string): void {
    const t = this.tokenisers[i]!;
    (this.out ??= []).push({
      ruleId: t.ruleId,
      category: t.category,
      severity: t.severity,
      confidence: f.confidence,
      field,
      fragment: f.fragment.length > 200 ? f.fragment.slice(0, 200) : f.fragment,
      detail: f.detail,
    });
    this.fired |= 1 << i;
  }

  private run(value: string, kind: TokenisedField, label: string): void {
    if (this.budget <= 0) return;
    this.budget -= value.length;
    const ts = this.tokenisers;
    for (let i = 0; i < ts.length; i++) {
      if ((this.fired & (1 << i)) !== 0) continue;
      const f = ts[i]!.inspect(value, kind);
      if (f !== null) this.fire(i, f, label);
    }
  }

  /** Tokenise into `found` (a verdict for the cache) instead of firing. */
  private collect(value: string, kind: TokenisedField): void {
    if (this.budget <= 0) return;
    this.budget -= value.length;
    const ts = this.tokenisers;
    for (let i = 0; i < ts.length; i++) {
      if (this.found?.[i]) continue;
      const f = ts[i]!.inspect(value, kind);
      if (f !== null) (this.found ??= new Array<TokenFinding | null>(ts.length).fill(null))[i] = f;
    }
  }

  /** User agent and referer: verdicts cached by the raw value (each tokeniser reads a referer its own way). */
  private cached(raw: string | null, kind: 'user_agent' | 'referer', state?: TokeniserState): void {
    if (raw === null || raw === '-' || raw === '' || isPlain(raw)) return;
    const verdicts = state?.verdicts[kind];
    let verdict = verdicts?.get(raw);
    if (verdict === undefined) {
      if (this.budget <= 0) return;
      this.found = null;
      this.collect(tokenisedValue(raw, false), kind);
      verdict = this.found;
      this.found = null;
      if (verdicts) {
        if (verdicts.size >= VERDICT_CACHE_SIZE) verdicts.clear();
        verdicts.set(raw, verdict);
      }
    }
    if (verdict === null) return;
    for (let i = 0; i < verdict.length; i++) {
      const f = verdict[i];
      if (f && (this.fired & (1 << i)) === 0) this.fire(i, f, kind);
    }
  }
}

const NONE: Detection[] = Object.freeze([]) as unknown as Detection[];
