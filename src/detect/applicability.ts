/**
 * Which loaded rules and behaviour scenarios can never fire on what the configured log format carries: a scenario
 * that counts JA4 fingerprints on a log without one is "not applicable", not silent. Pure: the caller says which
 * optional inputs the source's format carries (src/ingest/formats carriedInputs).
 */
import type { FieldSpec } from './rules/index.js';

/** What the log format can carry; `any` when lines name their own fields (JSON, or events from an API). */
export type FormatInputs = { readonly any: true; readonly name: string } | { readonly any: false; readonly name: string; readonly inputs: ReadonlySet<string> };

export interface NotApplicable {
  id: string;
  reason: string;
}

/** Fields every parsed line has (the request line and the status); the rest are optional inputs. */
const ALWAYS: ReadonlySet<string> = new Set(['path', 'query', 'uri', 'args', 'arg_names', 'method', 'status']);

/** The one input a scenario counts, and its name in words. Scenarios not listed read only what every line has. */
const SCENARIO_INPUTS: Readonly<Record<string, { input: string; what: string }>> = {
  'behaviour/ja4-rotation': { input: 'ja4', what: 'a JA4 TLS fingerprint' },
  'behaviour/ua-rotation': { input: 'user_agent', what: 'a user agent' },
};

const INPUT_WORDS: Readonly<Record<string, string>> = {
  user_agent: 'a user agent',
  referer: 'a referer',
  host: 'a host',
  ja4: 'a JA4 TLS fingerprint',
  ja4h: 'a JA4H fingerprint',
};

function carries(f: FormatInputs, input: string): boolean {
  return f.any || ALWAYS.has(input) || f.inputs.has(input);
}

function words(input: string): string {
  return INPUT_WORDS[input] ?? (input.startsWith('header:') ? `the ${input.slice(7)} header` : input);
}

/**
 * Of `ids` (loaded rules, tokeniser and scenario ids), those that cannot fire on `format`, each with the reason.
 * A rule is not applicable when none of the fields it reads is carried; `ruleFields` gives a rule's fields (unknown
 * ids: applicable).
 */
export function notApplicable(
  ids: readonly string[],
  format: FormatInputs,
  ruleFields: (id: string) => readonly FieldSpec[] | undefined,
): NotApplicable[] {
  if (format.any) return [];
  const out: NotApplicable[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const scenario = Object.hasOwn(SCENARIO_INPUTS, id) ? SCENARIO_INPUTS[id]! : undefined;
    if (scenario !== undefined) {
      if (!carries(format, scenario.input)) out.push({ id, reason: `log format ${format.name} carries no ${scenario.what.replace(/^an? /, '')}` });
      continue;
    }
    const fields = ruleFields(id);
    if (fields === undefined || fields.length === 0) continue;
    if (fields.every((f) => !carries(format, f))) {
      out.push({ id, reason: `log format ${format.name} carries none of what it reads (${fields.map(words).join(', ')})` });
    }
  }
  return out;
}
