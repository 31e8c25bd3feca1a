/** Path normalisation with a memory of whether `..` was resolved (the traversal itself is the signal). */

export interface PathResult {
  value: string;
  traversal: boolean;
}

/**
 * Backslashes become `/`, `//` collapses, `/./` disappears, `..` (also Tomcat's `..;x`) pops a segment.
 * The input should already be decoded; this never grows the string.
 */
export function collapsePath(s: string): PathResult {
  const src = s.indexOf('\\') === -1 ? s : s.replace(/\\/g, '/');
  if (src.indexOf('/.') === -1 && src.indexOf('//') === -1 && !src.startsWith('.')) {
    return { value: src, traversal: false };
  }
  const abs = src.startsWith('/');
  const trailing = src.endsWith('/');
  const out: string[] = [];
  let traversal = false;
  for (const seg of src.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' || seg.startsWith('..;')) {
      traversal = true;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  let value = (abs ? '/' : '') + out.join('/');
  if (trailing && out.length > 0) value += '/';
  return { value, traversal };
}

export function pathNormalize(s: string): string {
  return collapsePath(s).value;
}
