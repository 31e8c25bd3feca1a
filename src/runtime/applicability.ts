/**
 * Which loaded rules and scenarios can fire at all on what the configured log format carries (GET /api/rules/silent
 * and `rampart rules applicability`). Light: no API server, no store.
 */
import type { Config } from '../config/index.js';
import { BehaviourDetector, PrecomputedDetector, RuleDetector, TokeniserDetector, notApplicable, type Detector, type FieldSpec, type NotApplicable } from '../detect/index.js';
import { carriedInputs } from '../ingest/index.js';
import { ingestFormatSpec } from '../pipeline/index.js';

/** Ids a detection can carry: every loaded rule, and `behaviour/<scenario>` for each enabled scenario. */
export function loadedRuleIds(detectors: readonly Detector[]): string[] {
  const ids: string[] = [];
  for (const d of detectors) {
    if (d instanceof RuleDetector) for (const r of d.engine.rules) ids.push(r.id);
    if (d instanceof TokeniserDetector || d instanceof PrecomputedDetector) ids.push(...d.ruleIds());
    if (d instanceof BehaviourDetector) {
      ids.push(...d.ruleIds());
    }
  }
  return ids;
}

/** Loaded ids the configured log format cannot feed, with the reason (GET /api/rules/silent, `rampart rules applicability`). */
export function notApplicableIds(detectors: readonly Detector[], config: Pick<Config, 'ingest' | 'demo'>, forDemo = false): NotApplicable[] {
  const fields = new Map<string, readonly FieldSpec[]>();
  for (const d of detectors) if (d instanceof RuleDetector) for (const r of d.engine.rules) fields.set(r.id, r.fields);
  return notApplicable(loadedRuleIds(detectors), carriedInputs(formatSpec(config, forDemo)), (id) => fields.get(id));
}


/** The format the sources parse with; a broken log_format rules nothing out here (start-up reports it). */
function formatSpec(config: Pick<Config, 'ingest' | 'demo'>, forDemo: boolean): string | { logFormat: string; name?: string } {
  try {
    return ingestFormatSpec(config, forDemo);
  } catch {
    return 'custom';
  }
}
