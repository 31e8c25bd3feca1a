/**
 * Undoes the escaping loggers apply inside quoted fields: nginx writes `"`, `\` and bytes outside
 * printable ASCII as `\xHH` (or JSON-style `\uXXXX` with escape=json); Apache writes `\"`, `\\`, `\n`
 * and `\xHH`. Runs of `\xHH` are bytes of the original request, decoded as UTF-8 (invalid sequences
 * become U+FFFD, as the line reader does), so `GET /\x22><script>` reaches detection as `GET /"><script>`.
 */

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const decoder = new TextDecoder('utf-8');

/** The unescaped text of s[start..end). Unknown escapes are kept as written. */
export function unescapeLogField(s: string, start: number, end: number): string {
  let out = '';
  let from = start;
  let bytes: number[] | null = null;
  const flushBytes = (): void => {
    if (bytes !== null) {
      out += decoder.decode(Uint8Array.from(bytes));
      bytes = null;
    }
  };
  let i = s.indexOf('\\', start);
  while (i >= 0 && i < end - 1) {
    const next = s.charCodeAt(i + 1);
    if (next === 120 /* x */ && i + 3 < end) {
      const hi = hex(s.charCodeAt(i + 2));
      const lo = hex(s.charCodeAt(i + 3));
      if (hi >= 0 && lo >= 0) {
        if (i > from) {
          flushBytes();
          out += s.slice(from, i);
        }
        (bytes ??= []).push(hi * 16 + lo);
        from = i + 4;
        i = s.indexOf('\\', from);
        continue;
      }
    }
    let replacement: string | null = null;
    let width = 2;
    switch (next) {
      case 34: // "
      case 92: // \
      case 39: // '
      case 47: // /
        replacement = String.fromCharCode(next);
        break;
      case 110:
        replacement = '\n';
        break;
      case 114:
        replacement = '\r';
        break;
      case 116:
        replacement = '\t';
        break;
      case 117: // u, from escape=json
        if (i + 5 < end) {
          const a = hex(s.charCodeAt(i + 2));
          const b = hex(s.charCodeAt(i + 3));
          const c = hex(s.charCodeAt(i + 4));
          const d = hex(s.charCodeAt(i + 5));
          if ((a | b | c | d) >= 0) {
            replacement = String.fromCharCode(((a * 16 + b) * 16 + c) * 16 + d);
            width = 6;
          }
        }
        break;
    }
    if (replacement === null) {
      i = s.indexOf('\\', i + 2);
      continue;
    }
    flushBytes();
    out += s.slice(from, i) + replacement;
    from = i + width;
    i = s.indexOf('\\', from);
  }
  if (from < end) {
    flushBytes();
    out += s.slice(from, end);
  } else {
    flushBytes();
  }
  return out;
}
