/**
 * Finds the polynomial backtracking shapes of a rule regex: JavaScript's engine tries a regex at every
 * start position and backtracks, so on a long run of one character c
 * - an unbounded quantifier that can start at every position of the run (nothing before it in the
 *   pattern that c cannot match, no `(?<!c)` guard) scans the rest of the run from each start: O(n²)
 *   (`\.{2,}/` on 8,000 dots, `=[^&]*x`);
 * - two unbounded quantifiers that can both take c, with nothing between them that c cannot match,
 *   split the run in O(n) ways per start: O(n²) per start (`\.+\.+/`, `a.*b.*c` on `bbbb…`).
 * Either costs nothing when what follows the quantifier cannot fail (a pattern that ends there matches
 * at once), so only a quantifier with something mandatory after it counts.
 *
 * How: the pattern becomes a small ε-NFA over an alphabet of ASCII (upper case removed: rules see
 * lower-cased text) plus one symbol for every non-ASCII character. For each class of characters that
 * the pattern's sets cannot tell apart, keep only the states a run of that character can pass
 * (character sets holding it, assertions it satisfies on both sides) and look for two distinct cycles,
 * or the virtual "try every start" cycle and one cycle, joined by a path. Quantifiers bounded by
 * LOOP_BOUND or less are not cycles: their cost per start is at most that bound.
 * Conservative where it approximates (non-ASCII is one symbol, a lookaround it cannot reason about
 * lets every character through), so it may refuse a safe pattern, never pass one of these shapes.
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';

/** A repeat of at most this many iterations is treated as bounded work, not a loop. */
export const LOOP_BOUND = 64;

const SYMBOLS = 129; // 0..127 ASCII, 128 = any non-ASCII character
const NON_ASCII_SYMBOL = 128;

type CharSet = Uint8Array;

function emptySet(): CharSet {
  return new Uint8Array(SYMBOLS);
}

function fullSet(): CharSet {
  return new Uint8Array(SYMBOLS).fill(1);
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || isUpper(c) || c === 95;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === NON_ASCII_SYMBOL;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === NON_ASCII_SYMBOL;

interface Flags {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
  /** The text has no two whitespace characters in a row (compressWhitespace ran last). */
  compressed: boolean;
}

/** A node of the ε-NFA: consumes one character of `set`, or none (then `pass` says which runs get through). */
interface Node {
  set: CharSet | null;
  /** For ε nodes: may a run of character c (c before and after) cross this point? null: always. */
  pass: ((c: number) => boolean) | null;
  out: number[];
  /** Source text of the quantifier this character node repeats, for the message. */
  loopOf: AST.Quantifier | null;
}

export interface QuadraticShape {
  /** A character whose long run triggers it (printable, for the message). */
  char: string;
  /** The quantifier that rescans the run, and the earlier one (null: the start positions themselves). */
  quantifier: string;
  offset: number;
  previous: { quantifier: string; offset: number } | null;
}

class Builder {
  readonly nodes: Node[] = [];
  constructor(private readonly flags: Flags) {}

  add(set: CharSet | null, pass: ((c: number) => boolean) | null, out: number[], loopOf: AST.Quantifier | null = null): number {
    this.nodes.push({ set, pass, out, loopOf });
    return this.nodes.length - 1;
  }

  /** Nodes that match `alts` and then continue to `next`; returns the entry node. */
  alternatives(alts: readonly AST.Alternative[], next: number, loop: AST.Quantifier | null): number {
    if (alts.length === 1) return this.sequence((alts[0] as AST.Alternative).elements, next, loop);
    return this.add(null, null, alts.map((a) => this.sequence(a.elements, next, loop)));
  }

  sequence(elements: readonly AST.Element[], next: number, loop: AST.Quantifier | null): number {
    let at = next;
    for (let i = elements.length - 1; i >= 0; i--) at = this.element(elements[i] as AST.Element, at, loop);
    return at;
  }

  element(e: AST.Element, next: number, loop: AST.Quantifier | null): number {
    switch (e.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
      case 'ExpressionCharacterClass':
        return this.add(charSetOf(e, this.flags), null, [next], loop);
      case 'Group':
      case 'CapturingGroup':
        return this.alternatives(e.alternatives, next, loop);
      case 'Backreference':
        // Refused earlier; as text it could be anything.
        return this.add(null, null, [next]);
      case 'Assertion':
        return this.add(null, assertionPass(e, this.flags), [next]);
      case 'Quantifier': {
        if (e.max === 0) return next;
        const loops = e.max > LOOP_BOUND;
        if (!loops) {
          // One copy is enough for reachability; optional when min is 0.
          const once = this.element(e.element, next, loop);
          return e.min === 0 ? this.add(null, null, [once, next]) : once;
        }
        const hub = this.add(null, null, []);
        const body = this.element(e.element, hub, e);
        (this.nodes[hub] as Node).out.push(body, next);
        return e.min === 0 ? hub : this.element(e.element, hub, loop);
      }
    }
  }
}

function charSetOf(e: AST.Character | AST.CharacterClass | AST.CharacterSet | AST.ExpressionCharacterClass, flags: Flags): CharSet {
  const s = emptySet();
  const addCode = (v: number): void => {
    if (v >= 128) s[NON_ASCII_SYMBOL] = 1;
    else s[flags.ignoreCase && isUpper(v) ? v + 32 : v] = 1;
  };
  switch (e.type) {
    case 'Character':
      addCode(e.value);
      break;
    case 'CharacterSet':
      fillEscapeSet(s, e, flags);
      break;
    case 'ExpressionCharacterClass':
      return fullSet(); // v-flag set operations: not worth modelling, assume anything
    case 'CharacterClass': {
      for (const el of e.elements) {
        if (el.type === 'Character') addCode(el.value);
        else if (el.type === 'CharacterClassRange') {
          for (let v = el.min.value; v <= Math.min(el.max.value, 127); v++) addCode(v);
          if (el.max.value >= 128) s[NON_ASCII_SYMBOL] = 1;
        } else if (el.type === 'CharacterSet') fillEscapeSet(s, el, flags);
        else s.fill(1); // v-flag nested classes and strings: assume anything
      }
      if (e.negate) {
        for (let c = 0; c < 128; c++) s[c] = s[c] === 1 ? 0 : 1;
        s[NON_ASCII_SYMBOL] = 1; // the non-ASCII symbol stands for many characters: some remain
        if (flags.ignoreCase) for (let c = 97; c <= 122; c++) if (s[c - 32] === 0) s[c] = 0;
      }
      break;
    }
  }
  for (let c = 65; c <= 90; c++) s[c] = 0; // rules see lower-cased text
  return s;
}

function fillEscapeSet(s: CharSet, e: AST.CharacterSet, flags: Flags): void {
  let test: (c: number) => boolean;
  switch (e.kind) {
    case 'any':
      test = (c) => flags.dotAll || !isLineTerminator(c) || c === NON_ASCII_SYMBOL;
      break;
    case 'digit':
      test = e.negate ? (c) => !isDigit(c) : isDigit;
      break;
    case 'space':
      // After compressWhitespace no non-ASCII whitespace is left: the symbol then stands for others.
      test = e.negate ? (c) => !isSpace(c) || c === NON_ASCII_SYMBOL : (c) => isSpace(c) && !(flags.compressed && c === NON_ASCII_SYMBOL);
      break;
    case 'word':
      test = e.negate ? (c) => !isWord(c) : isWord;
      break;
    default:
      test = () => true; // Unicode properties: assume anything
  }
  for (let c = 0; c < SYMBOLS; c++) if (test(c)) s[c] = 1;
}

/** Characters some alternative of a lookaround can consume as its only character. */
function singleCharAlternatives(alts: readonly AST.Alternative[], flags: Flags): CharSet | null {
  const s = emptySet();
  for (const a of alts) {
    const only = a.elements.length === 1 ? a.elements[0] : undefined;
    if (only === undefined || (only.type !== 'Character' && only.type !== 'CharacterClass' && only.type !== 'CharacterSet')) return null;
    const cs = charSetOf(only, flags);
    for (let c = 0; c < SYMBOLS; c++) if (cs[c] === 1) s[c] = 1;
  }
  return s;
}

/** May a run of c cross this assertion (c on both sides of it)? When unsure: yes. */
function assertionPass(e: AST.Assertion, flags: Flags): ((c: number) => boolean) | null {
  switch (e.kind) {
    case 'start':
    case 'end':
      return (c) => flags.multiline && isLineTerminator(c);
    case 'word':
      return e.negate ? null : () => false; // \b between two equal characters never holds
    case 'lookahead':
    case 'lookbehind': {
      const single = singleCharAlternatives(e.alternatives, flags);
      if (single === null) return null;
      return e.negate ? (c) => single[c] === 0 : (c) => single[c] === 1;
    }
  }
}

function parse(pattern: string, flags: string): AST.Pattern {
  return new RegExpParser({ ecmaVersion: 2025 }).parsePattern(pattern, 0, pattern.length, { unicode: flags.includes('u') });
}

/**
 * Does a view produced by these transforms (in order) keep whitespace compressed? Only transforms that
 * can neither make whitespace nor join it (by deleting what separates it) may follow compressWhitespace.
 */
export function whitespaceCompressed(transforms: readonly string[]): boolean {
  const at = transforms.lastIndexOf('compressWhitespace');
  return at !== -1 && transforms.slice(at + 1).every((t) => t === 'lowercase' || t === 'quoteFold');
}

/**
 * The first quadratic shape in `pattern`, or null. Throws on a pattern that does not parse.
 * `compressed`: the text it runs on never has two whitespace characters in a row.
 */
export function quadraticShape(pattern: string, flagText = '', compressed = false): QuadraticShape | null {
  const flags: Flags = { ignoreCase: flagText.includes('i'), multiline: flagText.includes('m'), dotAll: flagText.includes('s'), compressed };
  const b = new Builder(flags);
  const accept = b.add(null, null, []);
  const entry = b.alternatives(parse(pattern, flagText).alternatives, accept, null);
  const nodes = b.nodes;
  // Can the match end from here without consuming anything or meeting an assertion? Then a
  // quantifier here never has to give characters back to a failing rest.
  const freeEnd = new Uint8Array(nodes.length);
  freeEnd[accept] = 1;
  for (let changed = true; changed; ) {
    changed = false;
    nodes.forEach((n, i) => {
      if (freeEnd[i] === 0 && n.set === null && n.pass === null && n.out.some((o) => freeEnd[o] === 1)) {
        freeEnd[i] = 1;
        changed = true;
      }
    });
  }
  for (const c of representatives(nodes)) {
    if (compressed && isSpace(c) && c !== NON_ASCII_SYMBOL) continue; // no runs of it
    const shape = shapeFor(nodes, entry, c, freeEnd);
    if (shape !== null) return shape;
  }
  return null;
}

/** One character per class of characters that no set or assertion of the pattern tells apart. */
function representatives(nodes: readonly Node[]): number[] {
  const sets = new Map<string, CharSet>();
  const passes: ((c: number) => boolean)[] = [];
  for (const n of nodes) {
    if (n.set !== null) sets.set(n.set.join(''), n.set);
    else if (n.pass !== null) passes.push(n.pass);
  }
  const unique = [...sets.values()];
  const seen = new Map<string, number>();
  for (let c = 0; c < SYMBOLS; c++) {
    if (isUpper(c)) continue;
    let key = isSpace(c) ? 's' : '';
    for (const set of unique) key += set[c];
    for (const pass of passes) key += pass(c) ? 1 : 0;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

function shapeFor(nodes: readonly Node[], entry: number, c: number, freeEnd: Uint8Array): QuadraticShape | null {
  const n = nodes.length;
  const alive = new Uint8Array(n);
  nodes.forEach((node, i) => {
    alive[i] = node.set !== null ? node.set[c] as number : node.pass === null || node.pass(c) ? 1 : 0;
  });
  if (!nodes.some((node, i) => alive[i] === 1 && node.loopOf !== null)) return null;
  const comp = components(nodes, alive);
  // A loop: a component with a cycle through a character node (a run of c can go round it).
  const loopQuant = new Map<number, AST.Quantifier>();
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as Node;
    if (alive[i] === 0 || node.set === null || node.loopOf === null) continue;
    const k = comp.id[i] as number;
    if (comp.cyclic[k] === 1 && !loopQuant.has(k)) loopQuant.set(k, node.loopOf);
  }
  if (loopQuant.size === 0) return null;
  const char = c === NON_ASCII_SYMBOL ? '\u00e9' : String.fromCharCode(c);
  const count = comp.cyclic.length;
  // A loop is harmless when it can be left for the end of the match with nothing left to fail.
  const harmless = new Uint8Array(count);
  for (let i = 0; i < n; i++) if (alive[i] === 1 && freeEnd[i] === 1) harmless[comp.id[i] as number] = 1;
  // Edges only go from a component to one completed earlier (lower id), so one pass from the highest
  // id down visits them in topological order. `reach[k]`: how a run of c gets to component k:
  // -1 not at all, 0 from the start positions, 1 + q from loop component q.
  const members: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < n; i++) if (alive[i] === 1) (members[comp.id[i] as number] as number[]).push(i);
  const reach = new Int32Array(count).fill(-1);
  if (alive[entry] === 1) reach[comp.id[entry] as number] = 0;
  for (let k = count - 1; k >= 0; k--) {
    const q = loopQuant.get(k);
    if (q !== undefined && reach[k] !== -1 && harmless[k] === 0) {
      const from = reach[k] as number;
      const prev = from === 0 ? null : (loopQuant.get(from - 1) as AST.Quantifier);
      return { char, quantifier: q.raw, offset: q.start, previous: prev === null ? null : { quantifier: prev.raw, offset: prev.start } };
    }
    const onward = q !== undefined ? 1 + k : reach[k];
    if (onward === -1) continue;
    for (const i of members[k] as number[]) {
      for (const o of (nodes[i] as Node).out) {
        const j = comp.id[o] as number;
        if (alive[o] === 1 && j !== k && reach[j] === -1) reach[j] = onward as number;
      }
    }
  }
  return null;
}

/** Strongly connected components of the alive subgraph (iterative Tarjan) and which have a cycle. */
function components(nodes: readonly Node[], alive: Uint8Array): { id: Int32Array; cyclic: Uint8Array } {
  const n = nodes.length;
  const id = new Int32Array(n).fill(-1);
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const cyclicList: number[] = [];
  let counter = 0;
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (alive[root] === 0 || index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1] as [number, number];
      const [v, e] = top;
      const out = (nodes[v] as Node).out;
      if (e < out.length) {
        top[1]++;
        const w = out[e] as number;
        if (alive[w] === 0) continue;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] === index[v]) {
        let size = 0;
        let selfLoop = false;
        for (;;) {
          const w = stack.pop() as number;
          onStack[w] = 0;
          id[w] = next;
          size++;
          if ((nodes[w] as Node).out.includes(w)) selfLoop = true;
          if (w === v) break;
        }
        cyclicList[next] = size > 1 || selfLoop ? 1 : 0;
        next++;
      }
    }
  }
  return { id, cyclic: Uint8Array.from(cyclicList) };
}

/** The loader's message for a shape: what input hurts, which quantifiers, how to fix it. */
export function describeShape(s: QuadraticShape): string {
  const run = `a long run of ${JSON.stringify(s.char)}`;
  if (s.previous === null) {
    return (
      `quadratic backtracking: the unbounded \`${s.quantifier}\` (offset ${s.offset}) can start at every position of ${run} and rescan it; ` +
      `anchor it (a lookbehind such as (?<!${escapeForClass(s.char)}) or a preceding literal that cannot be ${JSON.stringify(s.char)}) or bound it ({1,${LOOP_BOUND}})`
    );
  }
  return (
    `quadratic backtracking: \`${s.previous.quantifier}\` (offset ${s.previous.offset}) and \`${s.quantifier}\` (offset ${s.offset}) can split ${run} ` +
    `in every way; make what separates them exclude ${JSON.stringify(s.char)} or bound one of them ({1,${LOOP_BOUND}})`
  );
}

function escapeForClass(ch: string): string {
  return /[\\\]^$.*+?(){}|/[-]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * One character per class of characters the pattern's sets and assertions cannot tell apart (upper
 * case excluded, `é` for non-ASCII): the alphabet worst-case inputs for this pattern are built from.
 */
export function distinguishedCharacters(pattern: string, flagText = ''): string[] {
  const flags: Flags = { ignoreCase: flagText.includes('i'), multiline: flagText.includes('m'), dotAll: flagText.includes('s'), compressed: false };
  const b = new Builder(flags);
  b.alternatives(parse(pattern, flagText).alternatives, b.add(null, null, []), null);
  return representatives(b.nodes).map((c) => (c === NON_ASCII_SYMBOL ? '\u00e9' : String.fromCharCode(c)));
}
