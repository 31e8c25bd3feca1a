/**
 * Integer query parameters: plain decimal digits only, within the bounds the schema states. `Infinity`,
 * `1e309`, `NaN`, `0x10`, `1.5`, ` 7` and `-0` are not integers a client meant, so they are refused with
 * the real bounds rather than coerced.
 */
import * as z from 'zod';
import { documentAs } from '../request-schema.js';

export interface IntegerParamOptions {
  min: number;
  max: number;
  description: string;
}

const DIGITS = /^\d{1,16}$/;

/** An integer parameter with a default. */
export function integerParam(o: IntegerParamOptions & { default: number }): z.ZodDefault<IntegerSchema>;
/** An optional integer parameter (undefined when absent). */
export function integerParam(o: IntegerParamOptions): z.ZodOptional<IntegerSchema>;
export function integerParam(o: IntegerParamOptions & { default?: number }) {
  const doc = {
    type: 'integer',
    minimum: o.min,
    maximum: o.max,
    ...(o.default !== undefined ? { default: o.default } : {}),
    description: o.description,
  };
  const schema = integer(o.min, o.max);
  return documentAs(o.default !== undefined ? schema.default(o.default) : schema.optional(), doc);
}

type IntegerSchema = ReturnType<typeof integer>;

function integer(min: number, max: number) {
  const problem = `must be an integer from ${min} to ${max}`;
  return z.string().transform((raw, ctx) => {
    const n = DIGITS.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return n;
  });
}
