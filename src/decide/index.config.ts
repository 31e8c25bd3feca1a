/** The part of src/decide that config validation needs (the schema), without the policy and its imports. */
export { decisionsConfigSchema, decisionRuleSchema, REMEDIATIONS, DEFAULT_DECISION_RULES, type DecisionsConfig, type DecisionRule, type Remediation } from './config.js';
