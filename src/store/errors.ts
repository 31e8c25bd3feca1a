/** Store failures, named by the operation that failed; the driver error stays as `cause`. */
import { RampartError } from '../core/index.js';

/** A statement the database rejected. Carries the statement (never its parameters: they are hostile log data). */
export class SqlError extends RampartError {
  constructor(
    readonly statement: string,
    cause: unknown,
  ) {
    super('store_unavailable', `sql failed (${summarise(statement)}): ${messageOf(cause)}`, { cause });
  }
}

/** A store operation (write, listThreats, migrate 0001_core...) that failed. */
export class StoreError extends RampartError {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super('store_unavailable', `store ${operation}: ${messageOf(cause)}`, { cause });
  }
}

/** Runs fn, wrapping anything it throws in a StoreError naming `operation` (RampartErrors other than SQL pass). */
export async function named<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RampartError && !(err instanceof SqlError)) throw err;
    throw new StoreError(operation, err);
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function summarise(statement: string): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? flat.slice(0, 80) + '…' : flat;
}
