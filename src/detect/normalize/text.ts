/** Text-shape transforms: case, NUL bytes, whitespace, SQL comments, shell quoting, plus-as-space. */

/**
 * A charCode scan instead of a regex: most values are already lower-case ASCII and come back as they
 * are (no copy). Any character from U+00C0 up may have a lower-case form, so those go to toLowerCase.
 */
export function lowercase(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 0xc0) return s.toLowerCase();
  }
  return s;
}

export function nullByte(s: string): string {
  return s.indexOf('\0') === -1 ? s : s.replace(/\0/g, '');
}

/**
 * Any run of whitespace (incl. vertical tab, form feed, NBSP) becomes one space, or one `\n` when it
 * holds a line break: a newline separates shell commands, so it must survive.
 */
const NEEDS_COMPRESS = /[\t\n\r\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}/;

export function compressWhitespace(s: string): string {
  if (!NEEDS_COMPRESS.test(s)) return s;
  return s.replace(/[\s\u00a0]+/g, (run) => (run.indexOf('\n') !== -1 || run.indexOf('\r') !== -1 ? '\n' : ' '));
}

/** Query-string semantics: `+` is a space. Must run before urlDecode so `%2b` stays a plus. */
export function plusSpace(s: string): string {
  return s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
}

/**
 * SQL comments: `/*!50000 x*\/` keeps its content (MySQL executes it), other block comments become a
 * space (they separate tokens: `union/**\/select`), `-- ` and `#` comment out the rest of the line.
 */
export function sqlComments(s: string): string {
  if (s.indexOf('/*') === -1 && s.indexOf('--') === -1 && s.indexOf('#') === -1) return s;
  let out = s.replace(/\/\*!\d{0,6}([^*]*(?:\*(?!\/)[^*]*)*)\*\//g, ' $1 ');
  out = out.replace(/\/\*[^*]*(?:\*(?!\/)[^*]*)*(?:\*\/|$)/g, ' ');
  out = out.replace(/--(?:[\s+]|$)[^\n]*/g, ' ');
  out = out.replace(/#[^\n]*/g, ' ');
  return out;
}

/**
 * Shell de-obfuscation: `${IFS}`/`$IFS` are spaces to a shell, and quotes, backslashes and carets
 * inside a word (`c'a't`, `w\ho\am\i`, `who^ami`) disappear when the shell parses it.
 */
const SHELL_NOISE = /[$`'"^\\]/;

export function shellNormalize(s: string): string {
  if (!SHELL_NOISE.test(s)) return s;
  return s
    .replace(/\$\{ifs\}|\$ifs\b|\$\{ifs%\?\?\}/gi, ' ')
    .replace(/\$@|\$\*|\$\{\d\}|``|['"^]|(?<=[a-z])\\(?=[a-z])/gi, '');
}
