/** Detection: public surface of src/detect (engine, detectors, rules, behaviour, allowlists, scoring). */
export { DetectionEngine, type DetectionPolicy } from './engine.js';
export type * from './types.js';
export * from './score.js';
export * from './incident/index.js';
export * from './reputation-level.js';
export * from './behaviour/index.js';
export { GoodBotMatcher, claimsBrowser } from './behaviour/good-bots.js';
export * from './rules/index.js';
export * from './tokenise/index.js';
export * from './allowlist/index.js';
export * from './transforms/index.js';
export * from './site/index.js';
export * from './applicability.js';
export { PrecomputedDetector } from './precomputed.js';
