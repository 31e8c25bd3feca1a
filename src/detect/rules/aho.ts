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
    const children: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    this.literals.forEach((lit, id) => {
      if (lit.length === 0) return;
      let node = 0;
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (c >= ALPHA) throw new Error(`literal ${JSON.stringify(lit)} is not ASCII`);
        const kids = children[node] as Map<number, number>;
        let next = kids.get(c);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          out.push([]);
          kids.set(c, next);
        }
        node = next;
      }
      (out[node] as number[]).push(id);
    });
    const n = children.length;
    const delta = new Int32Array(n * ALPHA);
    const fail = new Int32Array(n);
    // Breadth-first: a node's fail target is always finished before the node itself.
    const queue: number[] = [];
    for (let c = 0; c < ALPHA; c++) {
      const child = (children[0] as Map<number, number>).get(c);
      if (child !== undefined) {
        delta[c] = child;
        queue.push(child);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi] as number;
      const f = fail[node] as number;
      const kids = children[node] as Map<number, number>;
      for (let c = 0; c < ALPHA; c++) {
        const child = kids.get(c);
        if (child === undefined) {
          delta[node * ALPHA + c] = delta[f * ALPHA + c] as number;
        } else {
          delta[node * ALPHA + c] = child;
          fail[child] = delta[f * ALPHA + c] as number;
          const inherited = out[fail[child] as number] as number[];
          if (inherited.length > 0) out[child] = [...(out[child] as number[]), ...inherited];
          queue.push(child);
        }
      }
    }
    const table = new Int32Array(n * ALPHA);
    for (let node = 0; node < n; node++) {
      for (let c = 0; c < ALPHA; c++) {
        const folded = c >= 65 && c <= 90 ? c + 32 : c;
        const next = delta[node * ALPHA + folded] as number;
        table[node * ALPHA + c] = next * ALPHA + ((out[next] as number[]).length > 0 ? 1 : 0);
      }
    }
    this.table = table;
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
