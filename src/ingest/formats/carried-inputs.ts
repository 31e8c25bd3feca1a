/**
 * Which optional request inputs a log format carries at all: a format without a user agent or a JA4 can never feed
 * a detector that reads only those, so such a detector is "not applicable" there rather than silent
 * (GET /api/rules/silent, `rampart rules applicability`). Pure: decided from the format's name or log_format text.
 */
import { extractFormatString, tokenizeLogFormat } from './log-format-syntax.js';
import { Field, fieldOf, headerName } from './variables.js';
import type { FormatSpec } from './registry.js';

/**
 * The optional inputs in rule-field names: `user_agent`, `referer`, `host`, `ja4`, `ja4h`, `header:<name>`.
 * `any` when lines name their own fields (JSON), so nothing can be ruled out.
 */
export type CarriedInputs = { readonly any: true; readonly name: string } | { readonly any: false; readonly name: string; readonly inputs: ReadonlySet<string> };

const COMBINED_INPUTS: ReadonlySet<string> = new Set(['user_agent', 'referer']);

const NAMED: Readonly<Record<string, ReadonlySet<string> | 'any'>> = {
  combined: COMBINED_INPUTS,
  main: COMBINED_INPUTS,
  apache_combined: COMBINED_INPUTS,
  common: new Set<string>(),
  json: 'any',
};

/** The optional inputs a format carries; an unknown name or a log_format that does not tokenise rules nothing out. */
export function carriedInputs(spec: FormatSpec): CarriedInputs {
  if (typeof spec === 'string') {
    const known = Object.hasOwn(NAMED, spec) ? NAMED[spec]! : 'any';
    return known === 'any' ? { any: true, name: spec } : { any: false, name: spec, inputs: known };
  }
  const name = spec.name ?? 'custom';
  let tokens;
  try {
    tokens = tokenizeLogFormat(extractFormatString(spec.logFormat));
  } catch {
    return { any: true, name };
  }
  const inputs = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'variable') continue;
    const input = inputOf(t.name);
    if (input !== null) inputs.add(input);
  }
  return { any: false, name, inputs };
}

function inputOf(variable: string): string | null {
  switch (fieldOf(variable)) {
    case Field.UserAgent:
      return 'user_agent';
    case Field.Referer:
      return 'referer';
    case Field.Host:
    case Field.HttpHost:
    case Field.ServerName:
      return 'host';
    case Field.Ja4:
      return 'ja4';
    case Field.Ja4h:
      return 'ja4h';
    case Field.Header:
      return `header:${headerName(variable)}`;
    default:
      return null;
  }
}
