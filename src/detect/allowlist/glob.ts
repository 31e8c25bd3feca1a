/**
 * A small glob matcher compiled from config text without building a RegExp (config text is never
 * turned into a regular expression: see DESIGN.md). Matching simulates the pattern as an NFA over
 * a bit set of positions, so its cost is O(input × pattern) whatever the input, never exponential.
 *
 * Syntax: `*` any run of characters (in `path` mode: not crossing '/'), `**` any run including '/',
 * `?` one character (in `path` mode: not '/'). Every other character is literal.
 */

export type GlobMode = 'path' | 'text';

type Token = { kind: 'lit'; ch: number } | { kind: 'any1' } | { kind: 'star'; crossSlash: boolean };

export const MAX_GLOB_LENGTH = 256;
const SLASH = 47;

export class Glob {
  private readonly tokens: readonly Token[];
  /** Literal text before the first wildcard: a cheap startsWith() rejects most inputs. */
  private readonly prefix: string;
  readonly hasWildcard: boolean;

  constructor(
    readonly source: string,
    readonly mode: GlobMode,
  ) {
    if (source.length === 0 || source.length > MAX_GLOB_LENGTH) {
      throw new Error(`pattern ${JSON.stringify(source.slice(0, 40))} must be 1..${MAX_GLOB_LENGTH} characters`);
    }
    const tokens: Token[] = [];
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 42 /* * */) {
        const double = source.charCodeAt(i + 1) === 42;
        if (double) i++;
        const crossSlash = double || mode === 'text';
        const last = tokens[tokens.length - 1];
        // Adjacent stars collapse into one (the wider wins): keeps the state count small.
        if (last?.kind === 'star') last.crossSlash ||= crossSlash;
        else tokens.push({ kind: 'star', crossSlash });
      } else if (c === 63 /* ? */) {
        tokens.push({ kind: 'any1' });
      } else {
        tokens.push({ kind: 'lit', ch: c });
      }
    }
    this.tokens = tokens;
    const firstWild = source.search(/[*?]/);
    this.hasWildcard = firstWild >= 0;
    this.prefix = firstWild < 0 ? source : source.slice(0, firstWild);
  }

  matches(input: string): boolean {
    if (!this.hasWildcard) return input === this.source;
    if (!input.startsWith(this.prefix)) return false;
    const t = this.tokens;
    const m = t.length;
    // active[j]: the first j tokens can consume the input read so far.
    let active = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    active[0] = 1;
    closeStars(t, active);
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      next.fill(0);
      let any = false;
      for (let j = 0; j < m; j++) {
        if (active[j] === 0) continue;
        const tok = t[j]!;
        if (tok.kind === 'star') {
          if (tok.crossSlash || c !== SLASH) {
            next[j] = 1; // the star absorbs c and stays
            any = true;
          }
        } else if (tok.kind === 'any1' ? this.mode === 'text' || c !== SLASH : tok.ch === c) {
          next[j + 1] = 1;
          any = true;
        }
      }
      if (!any) return false;
      closeStars(t, next);
      [active, next] = [next, active];
    }
    return active[m] === 1;
  }
}

/** A star may match the empty string: whoever reaches a star also reaches the token after it. */
function closeStars(t: readonly Token[], set: Uint8Array): void {
  for (let j = 0; j < t.length; j++) {
    if (set[j] === 1 && t[j]!.kind === 'star') set[j + 1] = 1;
  }
}
