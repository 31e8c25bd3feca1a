/**
 * List parameters: one value, a comma-separated list (`severity=high,critical`) or the parameter repeated
 * (`severity=high&severity=critical`), each a whitelisted value; de-duplicated, in the order given.
 */
import * as z from 'zod';
import { documentAs, repeatable } from '../request-schema.js';

export interface ListParamOptions {
  /** Longest accepted text, all repetitions joined. */
  maxLength: number;
  /** Values are compared after folding case this way. */
  fold: 'lower' | 'upper';
  description?: string;
}

export function listParam<T extends string>(allowed: readonly T[], o: ListParamOptions) {
  const valid = allowed.join(', ');
  const schema = z
    .string()
    .max(o.maxLength)
    .transform((raw, ctx) => {
      const out: T[] = [];
      for (const part of raw.split(',')) {
        const trimmed = part.trim();
        const value = o.fold === 'lower' ? trimmed.toLowerCase() : trimmed.toUpperCase();
        if (value === '') continue;
        if (!(allowed as readonly string[]).includes(value)) {
          const shown = JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
          ctx.addIssue({ code: 'custom', message: `has unknown value ${shown}; valid: ${valid}` });
          return z.NEVER;
        }
        if (!out.includes(value as T)) out.push(value as T);
      }
      if (out.length === 0) {
        ctx.addIssue({ code: 'custom', message: `is empty; valid: ${valid}` });
        return z.NEVER;
      }
      return out;
    })
    .optional();
  return repeatable(
    documentAs(schema, {
      type: 'string',
      maxLength: o.maxLength,
      description:
        `${o.description ? o.description + ' ' : ''}One or a comma-separated list of: ${valid} ` +
        '(the parameter may also be repeated).',
    }),
  );
}
