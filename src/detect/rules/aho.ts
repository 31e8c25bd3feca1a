/**
 * A compact Aho-Corasick automaton: one pass over a text reports every occurrence of every literal.
 * Case-insensitive for ASCII (literals are stored lower-case; the scan folds A-Z). Built once per rule
 * set into a dense ASCII transition table (fail links resolved at build time), so the scan is one array
 * read per character. Literals are ASCII (the loader rejects others); a non-ASCII character in the
 * text simply returns the automaton to its root.
 */
export interface AhoHit {
  literal: number;
  /** Index just past the end of the occurrence. */
  end: number;
}

const ALPHA = 128;

export class AhoCorasick {
  readonly literals: readonly string[];
  /** delta[node * 128 + c] → next node */
  private readonly delta: Int32Array;
  /** Literal ids ending at a node, including those inherited through fail links. */
  private readonly out: (readonly number[])[];
  private readonly hasOut: Uint8Array;

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
    this.delta = delta;
    this.out = out;
    this.hasOut = Uint8Array.from(out, (o) => (o.length > 0 ? 1 : 0));
  }

  /** Calls `onHit` for every occurrence; returns the number of characters examined. */
  scan(text: string, onHit: (literal: number, end: number) => void): number {
    const delta = this.delta;
    const hasOut = this.hasOut;
    let node = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c >= ALPHA) {
        node = 0;
        continue;
      }
      if (c >= 65 && c <= 90) c += 32;
      node = delta[node * ALPHA + c] as number;
      if (hasOut[node] === 1) {
        const outs = this.out[node] as readonly number[];
        for (let k = 0; k < outs.length; k++) onHit(outs[k] as number, i + 1);
      }
    }
    return n;
  }

  /** Pushes the id of every literal that occurs (possibly repeated) into `hits`; returns characters examined. */
  scanInto(text: string, hits: number[]): number {
    const delta = this.delta;
    const hasOut = this.hasOut;
    let node = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c >= ALPHA) {
        node = 0;
        continue;
      }
      if (c >= 65 && c <= 90) c += 32;
      node = delta[node * ALPHA + c] as number;
      if (hasOut[node] === 1) {
        const outs = this.out[node] as readonly number[];
        for (let k = 0; k < outs.length; k++) hits.push(outs[k] as number);
      }
    }
    return n;
  }

  /** All hits, for tests and explanations. */
  findAll(text: string): AhoHit[] {
    const hits: AhoHit[] = [];
    this.scan(text, (literal, end) => hits.push({ literal, end }));
    return hits;
  }
}
