/**
 * PostgreSQL COPY text format, written by hand because it is four escapes and a null marker; the
 * driver (pg-copy-streams) only moves the bytes. Values are already sanitised (no NUL).
 */
import type { SqlClient } from './types.js';

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

/** A PostgreSQL array literal of texts (`{"a","b"}`), for a text[] column in COPY or cast from text. */
export function pgTextArray(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '"' : ',"') + values[i]!.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  return out + '}';
}

/** Unique violation: a COPY met an id that is already stored (a replay) or that the batch holds twice. */
export function isUniqueViolation(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === '23505';
}

/**
 * The COPY fast path on PostgreSQL (about twice the rows/s of the unnest insert), inside a savepoint: a replayed or
 * repeated id trips the primary key, the savepoint is rolled back and the caller's ON CONFLICT insert takes over.
 * True when the copy landed; false when the caller must insert (no COPY on this client, or a unique violation).
 */
export async function copyUnlessReplayed(
  tx: SqlClient,
  savepoint: string,
  copy: (copyRows: NonNullable<SqlClient['copyRows']>) => Promise<void>,
): Promise<boolean> {
  if (!tx.copyRows) return false;
  await tx.query(`SAVEPOINT ${savepoint}`);
  try {
    await copy(tx.copyRows.bind(tx));
    await tx.query(`RELEASE SAVEPOINT ${savepoint}`);
    return true;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    return false;
  }
}
