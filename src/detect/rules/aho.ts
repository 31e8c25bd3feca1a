/**
 * A compact Aho-Corasick automaton: one pass over a text reports every occurrence of every literal.
 * Case-insensitive for ASCII (literals are stored lower-case). Built once per rule set into a dense
 * ASCII transition table (fail links resolved at build time; the A-Z columns copy the a-z ones, so
 * folding costs nothing), so the scan is one typed-array read per character. Literals are ASCII (the
 * loader rejects others); a non-ASCII character in the text simply returns the automaton to its root.
 */
import { ALL_TRIGGERS, CHAR_TRIGGERS, leadingTriggers, pairTriggers } from '../transforms/index.js';
import type { IntList } from './intlist.js';

export interface AhoHit {
  literal: number;
  /** Index just past the end of the occurrence. */
  end: number;
}

const ALPHA = 128;
const NO_OUTPUT: readonly number[] = [];

export class AhoCorasick {
  readonly literals: readonly string[];
  /**
   * table[state + c] = next state | 1 if the next node ends a literal. A state is node * 128 (so the
   * low bit is free for the flag and no multiplication is needed per character).
   */
  private readonly table: Int32Array;
  /** Literal ids ending at a node, including those inherited through fail links. */
  private readonly out: (readonly number[])[];

  constructor(literals: readonly string[]) {
    this.literals = literals.map((l) => l.toLowerCase());
    // Built in place in typed arrays, row by row (a first version with a Map per node and a lookup per
    // node and character took about 40 ms of a 1,000-line analyze for the shipped rules' 5,600 nodes).
    // While the trie is built, 0 in a row means "no child": no trie edge leads back to the root.
    let bound = 1;
    for (const lit of this.literals) bound += lit.length;
    const delta = new Int32Array(bound * ALPHA);
    const out: (readonly number[])[] = [NO_OUTPUT];
    let n = 1;
    this.literals.forEach((lit, id) => {
      if (lit.length === 0) return;
      let node = 0;
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (c >= ALPHA) throw new Error(`literal ${JSON.stringify(lit)} is not ASCII`);
        let next = delta[node * ALPHA + c] as number;
        if (next === 0) {
          next = n++;
          out.push(NO_OUTPUT);
          delta[node * ALPHA + c] = next;
        }
        node = next;
      }
      out[node] = [...(out[node] as readonly number[]), id];
    });
    const fail = new Int32Array(n);
    // Breadth-first: a node's fail target is always finished before the node itself, and a row holds
    // only trie children until its node is reached.
    const queue = new Int32Array(n);
    let tail = 0;
    for (let c = 0; c < ALPHA; c++) if ((delta[c] as number) !== 0) queue[tail++] = delta[c] as number;
    for (let qi = 0; qi < tail; qi++) {
      const node = queue[qi] as number;
      const row = node * ALPHA;
      const failRow = (fail[node] as number) * ALPHA;
      for (let c = 0; c < ALPHA; c++) {
        const child = delta[row + c] as number;
        if (child === 0) {
          delta[row + c] = delta[failRow + c] as number;
        } else {
          const f = delta[failRow + c] as number;
          fail[child] = f;
          const inherited = out[f] as readonly number[];
          if (inherited.length > 0) out[child] = [...(out[child] as readonly number[]), ...inherited];
          queue[tail++] = child;
        }
      }
    }
    // Final form, in place (a row reads only its own a-z cells, which are rewritten after A-Z). Most
    // cells lead back to the root (0), which is already its final form.
    const ends = new Int32Array(n);
    for (let node = 0; node < n; node++) ends[node] = (out[node] as readonly number[]).length > 0 ? 1 : 0;
    for (let node = 0; node < n; node++) {
      const row = node * ALPHA;
      for (let c = 0; c < ALPHA; c++) {
        const next = delta[row + (c >= 65 && c <= 90 ? c + 32 : c)] as number;
        if (next !== 0) delta[row + c] = next * ALPHA + (ends[next] as number);
        else if (c >= 65 && c <= 90) delta[row + c] = 0;
      }
    }
    this.table = delta.slice(0, n * ALPHA);
    this.out = out;
  }

  /** Calls `onHit` for every occurrence; returns the number of characters examined. */
  scan(text: string, onHit: (literal: number, end: number) => void): number {
    const table = this.table;
    let state = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHA) {
        state = 0;
        continue;
      }
      const v = table[state + c] as number;
      state = v & -2;
      if ((v & 1) !== 0) {
        const outs = this.out[state >> 7] as readonly number[];
        for (let k = 0; k < outs.length; k++) onHit(outs[k] as number, i + 1);
      }
    }
    return n;
  }

  /** Pushes the id of every literal that occurs (possibly repeated) into `hits`; returns characters examined. */
  scanInto(text: string, hits: IntList): number {
    const table = this.table;
    let state = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHA) {
        state = 0;
        continue;
      }
      const v = table[state + c] as number;
      state = v & -2;
      if ((v & 1) !== 0) {
        const outs = this.out[state >> 7] as readonly number[];
        for (let k = 0; k < outs.length; k++) hits.push(outs[k] as number);
      }
    }
    return n;
  }

  /**
   * scanInto fused with transforms' triggerMask (same result, one pass instead of two): pushes literal
   * hits and returns the trigger mask of `text`. Stops at the first non-ASCII character and returns
   * ALL_TRIGGERS; the hits are then incomplete, and the caller must take its decoding path anyway.
   */
  scanWithTriggers(text: string, hits: IntList): number {
    const table = this.table;
    let state = 0;
    let mask = leadingTriggers(text);
    let prev = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHA) return ALL_TRIGGERS;
      mask |= CHAR_TRIGGERS[c] as number;
      if (c <= 47) mask |= pairTriggers(text, i, prev, c);
      prev = c;
      const v = table[state + c] as number;
      state = v & -2;
      if ((v & 1) !== 0) {
        const outs = this.out[state >> 7] as readonly number[];
        for (let k = 0; k < outs.length; k++) hits.push(outs[k] as number);
      }
    }
    return mask;
  }

  /** All hits, for tests and explanations. */
  findAll(text: string): AhoHit[] {
    const hits: AhoHit[] = [];
    this.scan(text, (literal, end) => hits.push({ literal, end }));
    return hits;
  }
}
