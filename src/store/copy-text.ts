/**
 * PostgreSQL COPY text format, written by hand because it is four escapes and a null marker; the
 * driver (pg-copy-streams) only moves the bytes. Values are already sanitised (no NUL).
 */
export type CopyValue = string | number | boolean | null;

function escapeCopy(s: string): string {
  // Fast path: most log values contain none of the four characters COPY gives meaning to.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyValue(v: CopyValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'string') return escapeCopy(v);
  return String(v);
}

/** One COPY text row: values tab-separated, newline-terminated. */
export function copyRow(values: readonly CopyValue[]): string {
  let row = '';
  for (let i = 0; i < values.length; i++) row += (i === 0 ? '' : '\t') + copyValue(values[i]!);
  return row + '\n';
}
