/** Behaviour detection: per-IP leaky-bucket scenarios and window features. Public surface of src/detect/behaviour. */
export { BehaviourDetector, isApiPath, type BehaviourDeps } from './detector.js';
export { BehaviourState, type BehaviourCounters } from './state.js';
export {
  behaviourConfigSchema,
  parseBehaviourConfig,
  DEFAULT_LOGIN_SUFFIXES,
  DEFAULT_ASSET_EXTENSIONS,
  type BehaviourConfig,
  type BehaviourConfigInput,
} from './config.js';
export { SCENARIOS, type ScenarioId } from './scenarios.js';
export { THREAT_LEVELS, type ThreatLevel, type IpWindow } from './windows.js';
export {
  KNOWN_BOT_TOKENS,
  type BotVerifier,
  type BotVerdict,
  type BotVerdictLookup,
  type BotClaimListener,
} from './good-bots.js';
