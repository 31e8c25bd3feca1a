/**
 * A small HTML5-style tag lexer (after the tokenizer states of the HTML spec, as libinjection's XSS
 * detector reads them): from one starting state it walks the value once and reports each tag name and
 * each attribute with its value. Enough of HTML to see what a browser would build from a reflected value;
 * comments, doctypes and `<?` are skipped to their `>`. Linear: every step advances the position.
 */

/** Where the value lands in a page: text, or inside an attribute value quoted with `"`, `'`, or unquoted. */
export type HtmlContext = 'text' | 'double-quoted' | 'single-quoted' | 'unquoted';

export const HTML_CONTEXTS: readonly HtmlContext[] = ['text', 'double-quoted', 'single-quoted', 'unquoted'];

export interface HtmlVisitor {
  /** A start tag's name (lower case); return true to stop. */
  tag(name: string, at: number): boolean;
  /** Whether the value of attribute `name` matters (the lexer skips the others without copying them). */
  wants(name: string): boolean;
  /** An attribute (name lower case, value as written, null without `=`) of `tag` ('' when the tag opened before the value). */
  attr(tag: string, name: string, value: string | null, at: number): boolean;
}

function isSpace(c: number): boolean {
  // Tab, LF, FF, CR, space; also VT and NUL, which old browsers skipped between attributes.
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13 || c === 11 || c === 0;
}

function isLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/**
 * Walk `s` as HTML, starting in `context`: for an attribute context the value first runs to its end (the
 * closing quote, or whitespace / `>` unquoted); what follows is read as more attributes of that tag. A value
 * that never leaves its attribute reports nothing.
 */
export function lexHtml(s: string, context: HtmlContext, visit: HtmlVisitor): void {
  const n = s.length;
  let i = 0;
  let tag = '';
  if (context !== 'text') {
    if (context === 'unquoted') {
      while (i < n && !isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 62) i++;
    } else {
      const q = context === 'double-quoted' ? '"' : "'";
      i = s.indexOf(q);
      if (i === -1) return;
      i++;
    }
    if (i >= n) return;
    i = attributes(s, i, tag, visit);
    if (i < 0) return;
  }
  while (i < n) {
    const lt = s.indexOf('<', i);
    if (lt === -1 || lt + 1 >= n) return;
    const c = s.charCodeAt(lt + 1);
    if (isLetter(c)) {
      let j = lt + 2;
      while (j < n && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== 47 && s.charCodeAt(j) !== 62) j++;
      tag = s.slice(lt + 1, j).toLowerCase();
      if (visit.tag(tag, lt)) return;
      i = attributes(s, j, tag, visit);
      if (i < 0) return;
    } else if (c === 33 || c === 63 || (c === 47 && lt + 2 < n && isLetter(s.charCodeAt(lt + 2)))) {
      // `<!...>`, `<?...>` and end tags: nothing in them runs; skip to the `>`.
      const gt = s.indexOf('>', lt + 2);
      if (gt === -1) return;
      i = gt + 1;
    } else {
      i = lt + 1;
    }
  }
}

/**
 * Attributes from `i` to the end of the tag. Returns the position after the tag's `>`, the end of the input,
 * or -1 when the visitor asked to stop.
 */
function attributes(s: string, i: number, tag: string, visit: HtmlVisitor): number {
  const n = s.length;
  while (i < n) {
    let c = s.charCodeAt(i);
    if (isSpace(c) || c === 47) {
      i++;
      continue;
    }
    if (c === 62) return i + 1;
    const nameAt = i;
    // The first character may be `=` (a parse error HTML keeps in the name).
    i++;
    while (i < n) {
      c = s.charCodeAt(i);
      if (isSpace(c) || c === 47 || c === 62 || c === 61) break;
      i++;
    }
    const name = s.slice(nameAt, i).toLowerCase();
    const wanted = visit.wants(name);
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i >= n || s.charCodeAt(i) !== 61) {
      if (wanted && visit.attr(tag, name, null, nameAt)) return -1;
      continue;
    }
    i++;
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    let start: number;
    let end: number;
    c = s.charCodeAt(i);
    if (c === 34 || c === 39) {
      const close = s.indexOf(c === 34 ? '"' : "'", i + 1);
      start = i + 1;
      end = close === -1 ? n : close;
      i = close === -1 ? n : close + 1;
    } else {
      start = i;
      while (i < n && !isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 62) i++;
      end = i;
    }
    if (wanted && visit.attr(tag, name, s.slice(start, end), nameAt)) return -1;
  }
  return n;
}
