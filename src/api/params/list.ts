/** Comma-separated whitelisted values (`severity=high,critical`), de-duplicated, in the order given. */
import { BadRequestError } from '../../core/errors.js';

export function parseListParam<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const out: T[] = [];
  for (const part of raw.split(',')) {
    const value = part.trim().toLowerCase();
    if (value === '') continue;
    if (!(allowed as readonly string[]).includes(value)) {
      const shown = value.length > 40 ? value.slice(0, 40) + '…' : value;
      throw new BadRequestError(
        `query parameter "${name}" has unknown value "${shown}"; valid: ${allowed.join(', ')}`,
        name,
      );
    }
    if (!out.includes(value as T)) out.push(value as T);
  }
  if (out.length === 0) {
    throw new BadRequestError(`query parameter "${name}" is empty; valid: ${allowed.join(', ')}`, name);
  }
  return out;
}
