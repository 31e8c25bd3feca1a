/**
 * A compact Aho-Corasick automaton: one pass over a text reports every occurrence of every literal.
 * Case-insensitive for ASCII (literals are stored lower-case). Built once per rule set into a dense
 * ASCII transition table (fail links resolved at build time; the A-Z columns copy the a-z ones, so
 * folding costs nothing), so the scan is one typed-array read per character. Literals are ASCII (the
 * loader rejects others); a non-ASCII character in the text simply returns the automaton to its root.
 */
import { createHash } from 'node:crypto';
import { ALL_TRIGGERS, CHAR_TRIGGERS, leadingTriggers, pairTriggers } from '../transforms/index.js';
import type { IntList } from '../../core/index.js';

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

  /** Builds the automaton of `literals`, or takes one built before (`built`, from decodeAutomaton). */
  constructor(literals: readonly string[], built?: { table: Int32Array; out: (readonly number[])[] }) {
    this.literals = literals.map((l) => l.toLowerCase());
    if (built) {
      this.table = built.table;
      this.out = built.out;
      return;
    }
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

  /**
   * The built automaton as bytes, for a cache between runs: building it for the shipped rules' 1,700
   * literals takes 30-60 ms of every start, reading it back about 2 ms. Layout (32-bit words): format, node
   * count, total outputs, the table (nodes x 128), output offsets (nodes + 1), output literal ids.
   */
  encode(): Uint8Array {
    const nodes = this.out.length;
    let total = 0;
    for (const o of this.out) total += o.length;
    const words = new Int32Array(3 + this.table.length + nodes + 1 + total);
    words[0] = AUTOMATON_FORMAT;
    words[1] = nodes;
    words[2] = total;
    words.set(this.table, 3);
    let offsetAt = 3 + this.table.length;
    let idAt = offsetAt + nodes + 1;
    let offset = 0;
    for (const o of this.out) {
      words[offsetAt++] = offset;
      for (const id of o) words[idAt++] = id;
      offset += o.length;
    }
    words[offsetAt] = offset;
    return new Uint8Array(words.buffer);
  }

  /** All hits, for tests and explanations. */
  findAll(text: string): AhoHit[] {
    const hits: AhoHit[] = [];
    this.scan(text, (literal, end) => hits.push({ literal, end }));
    return hits;
  }
}

/** Bumped when the automaton's build or its encoding changes, so an old cached one is not read. */
const AUTOMATON_FORMAT = 0x61686f01;

/**
 * The automaton of `literals` from `bytes` written by `encode()`, or null when they are not a well-formed
 * encoding (another format, truncated, a transition or output outside its bounds): the caller then builds it.
 * Which literals it was built from is the cache key's business (automatonCacheName).
 */
export function decodeAutomaton(literals: readonly string[], bytes: Uint8Array): AhoCorasick | null {
  if (bytes.byteLength % 4 !== 0 || bytes.byteLength < 12) return null;
  // An aligned copy when the bytes do not start on a word (Buffers from a pool may not).
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  const nodes = words[1] as number;
  const total = words[2] as number;
  if (words[0] !== AUTOMATON_FORMAT || nodes < 1 || total < 0) return null;
  const tableLen = nodes * ALPHA;
  if (words.length !== 3 + tableLen + nodes + 1 + total) return null;
  const table = words.subarray(3, 3 + tableLen);
  for (let i = 0; i < tableLen; i++) {
    const v = table[i] as number;
    if (v < 0 || (v & -2) >= tableLen || ((v & -2) & (ALPHA - 1)) !== 0) return null;
  }
  const offsets = words.subarray(3 + tableLen, 3 + tableLen + nodes + 1);
  const ids = words.subarray(3 + tableLen + nodes + 1);
  const out: (readonly number[])[] = new Array(nodes);
  for (let node = 0; node < nodes; node++) {
    const from = offsets[node] as number;
    const to = offsets[node + 1] as number;
    if (from < 0 || to < from || to > total) return null;
    if (from === to) {
      out[node] = NO_OUTPUT;
      continue;
    }
    const list: number[] = [];
    for (let k = from; k < to; k++) {
      const id = ids[k] as number;
      if (id < 0 || id >= literals.length) return null;
      list.push(id);
    }
    out[node] = list;
  }
  return new AhoCorasick(literals, { table, out });
}

/** The cache entry name of the automaton of `literals` (in their order: a literal's id is its index). */
export function automatonCacheName(literals: readonly string[]): string {
  const hash = createHash('sha256').update(String(AUTOMATON_FORMAT)).update(JSON.stringify(literals)).digest('hex');
  return `aho-${hash.slice(0, 40)}.bin`;
}

/** Where built automata are kept between runs (DiskCache fits). */
export interface AutomatonCache {
  read(name: string): Uint8Array | null;
  write(name: string, data: Uint8Array): boolean;
}

/** The automaton of `literals`, read from `cache` when it holds it, else built (and written there). */
export function cachedAutomaton(literals: readonly string[], cache?: AutomatonCache): AhoCorasick {
  if (!cache) return new AhoCorasick(literals);
  const name = automatonCacheName(literals);
  const bytes = cache.read(name);
  const read = bytes ? decodeAutomaton(literals, bytes) : null;
  if (read) return read;
  const built = new AhoCorasick(literals);
  cache.write(name, built.encode());
  return built;
}
