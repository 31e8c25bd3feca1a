/** Rule half of the detection engine: YAML packs → one compiled engine → Detector. */
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RuleEngine, type FieldTrace } from './engine.js';
import type { EventLike } from './fields.js';
import type { RuleSet } from './types.js';

export { loadRulePacks, loadRulePackText, RuleLoadError } from './loader.js';
export { RuleEngine, newStats, LINE_WORK_BUDGET, LINE_WORK_BUDGET_RULE } from './engine.js';
export type { ScanStats, FieldTrace, EngineOptions } from './engine.js';
export { RuleDetector } from './detector.js';
export { runRuleExamples, ruleFiresOn, requestToEvent } from './examples.js';
export type { ExampleFailure, ExampleReport } from './examples.js';
export { eventFields, MAX_FIELDS_PER_EVENT, MAX_ARGS_INSPECTED, MAX_FIELD_BYTES } from './fields.js';
export type { EventLike, FieldInstance } from './fields.js';
export { AhoCorasick, type AutomatonCache } from './aho.js';
export { regexProblem } from './safety.js';
export type { Rule, RuleSet, CompiledMatch } from './types.js';
export type { FieldSpec, Example, ExampleRequest } from './schema.js';

/** The bundled packs: `<repo>/rules/*.yaml`, sorted so rule order (and output) is stable. */
export function bundledRulePaths(dir = fileURLToPath(new URL('../../../rules/', import.meta.url))): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** For `rampart rules explain`: normalisation steps per field and which rules fired on which fragment. */
export function explainRequest(ruleSet: RuleSet | RuleEngine, eventLike: EventLike): FieldTrace[] {
  const engine = ruleSet instanceof RuleEngine ? ruleSet : new RuleEngine(ruleSet);
  return engine.explain(eventLike).steps;
}
