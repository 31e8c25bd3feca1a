/**
 * Every rule ships examples; this runner checks them all (used by the test suite and `rampart rules test`).
 * A string example is a raw field value, tried against each field the rule inspects; an object example
 * is a partial request run through the whole engine.
 */
import { RuleEngine, newStats } from './engine.js';
import type { EventLike, FieldInstance } from './fields.js';
import type { Example, ExampleRequest } from './schema.js';
import type { Rule, RuleSet } from './types.js';

export interface ExampleFailure {
  ruleId: string;
  source: string;
  expected: 'match' | 'no_match';
  example: Example;
}

export interface ExampleReport {
  rules: number;
  examples: number;
  failures: ExampleFailure[];
}

export function requestToEvent(r: ExampleRequest): EventLike {
  return {
    method: r.method ?? 'GET',
    path: r.path ?? '/',
    query: r.query ?? '',
    status: r.status ?? 200,
    userAgent: r.user_agent ?? null,
    referer: r.referer ?? null,
    host: r.host ?? null,
    headers: r.headers ?? null,
  };
}

/** Does `rule` fire on `example` in `engine`? */
export function ruleFiresOn(engine: RuleEngine, rule: Rule, example: Example): boolean {
  if (typeof example !== 'string') {
    return engine.evaluate(requestToEvent(example)).some((d) => d.ruleId === rule.id);
  }
  for (const key of rule.fields) {
    const f: FieldInstance = { key, label: key, raw: example };
    const out: Parameters<RuleEngine['scanField']>[1] = new Set();
    const dets: Parameters<RuleEngine['scanField']>[2] = [];
    engine.scanField(f, out, dets, newStats());
    if (dets.some((d) => d.ruleId === rule.id)) return true;
  }
  return false;
}

export function runRuleExamples(ruleSet: RuleSet, engine = new RuleEngine(ruleSet)): ExampleReport {
  const failures: ExampleFailure[] = [];
  let examples = 0;
  for (const rule of ruleSet.rules) {
    for (const ex of rule.examples.match) {
      examples++;
      if (!ruleFiresOn(engine, rule, ex)) failures.push({ ruleId: rule.id, source: rule.source, expected: 'match', example: ex });
    }
    for (const ex of rule.examples.noMatch) {
      examples++;
      if (ruleFiresOn(engine, rule, ex)) failures.push({ ruleId: rule.id, source: rule.source, expected: 'no_match', example: ex });
    }
  }
  return { rules: ruleSet.rules.length, examples, failures };
}
