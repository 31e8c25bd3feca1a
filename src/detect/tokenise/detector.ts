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
/** Distinct user agents and referers whose verdicts are remembered (the cache is emptied when full). */
export const VERDICT_CACHE_SIZE = 4096;

/** The parts of an event tokenisers read. */
export type TokenisedEvent = Pick<HttpEvent, 'path' | 'query'> & Partial<Pick<HttpEvent, 'userAgent' | 'referer'>>;

export interface TokeniserState {
  /** value -> index of the first tokeniser's finding per tokeniser, or null when none fired. */
  readonly verdicts: Map<string, readonly (TokenFinding | null)[] | null>;
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
    return { verdicts: new Map() };
  }

  detect(batch: readonly HttpEvent[], state: TokeniserState): Detection[][] {
    return batch.map((e) => this.inspectEvent(e, state));
  }

  inspectEvent(e: TokenisedEvent, state?: TokeniserState): Detection[] {
    const ts = this.tokenisers;
    if (ts.length === 0) return NONE;
    let out: Detection[] | null = null;
    let fired = 0;
    const all = ts.length;
    const fire = (i: number, f: TokenFinding, field: string) => {
      const t = ts[i]!;
      (out ??= []).push({
        ruleId: t.ruleId,
        category: t.category,
        severity: t.severity,
        confidence: f.confidence,
        field,
        fragment: f.fragment.length > 200 ? f.fragment.slice(0, 200) : f.fragment,
        detail: f.detail,
      });
      fired |= 1 << i;
    };
    let budget = MAX_TOKENISED_PER_EVENT;
    const run = (value: string, kind: TokenisedField, label: string) => {
      if (budget <= 0) return;
      budget -= value.length;
      for (let i = 0; i < all; i++) {
        if ((fired & (1 << i)) !== 0) continue;
        const f = ts[i]!.inspect(value, kind);
        if (f !== null) fire(i, f, label);
      }
    };
    if (!isPlain(e.path)) run(tokenisedValue(e.path, false), 'path', 'path');
    if (e.query !== '' && !isPlain(e.query)) {
      forEachArg(e.query, MAX_TOKENISED_ARGS, (name, value) => {
        if (budget <= 0 || value === '' || isPlain(value)) return;
        run(tokenisedValue(value, true), 'arg', `arg:${name.slice(0, 64)}`);
      });
    }
    const cached = (raw: string | null, kind: TokenisedField) => {
      if (raw === null || raw === '-' || raw === '' || isPlain(raw)) return;
      let verdict = state?.verdicts.get(raw);
      if (verdict === undefined) {
        if (budget <= 0) return;
        const value = tokenisedValue(raw, false);
        budget -= value.length;
        let found: (TokenFinding | null)[] | null = null;
        for (let i = 0; i < all; i++) {
          const f = ts[i]!.inspect(value, kind);
          if (f !== null) (found ??= new Array<TokenFinding | null>(all).fill(null))[i] = f;
        }
        verdict = found;
        if (state) {
          if (state.verdicts.size >= VERDICT_CACHE_SIZE) state.verdicts.clear();
          state.verdicts.set(raw, verdict);
        }
      }
      if (verdict === null) return;
      for (let i = 0; i < all; i++) {
        const f = verdict[i];
        if (f && (fired & (1 << i)) === 0) fire(i, f, kind);
      }
    };
    cached(e.userAgent ?? null, 'user_agent');
    cached(e.referer ?? null, 'referer');
    return out ?? NONE;
  }
}

const NONE: Detection[] = Object.freeze([]) as unknown as Detection[];
