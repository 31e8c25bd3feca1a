/**
 * The part of src/detect that config validation needs, without the engine, rules and transforms:
 * `rampart config` and the config loader of every command import this, not index.ts (about 35 ms
 * less at start).
 */
export { behaviourConfigSchema, type BehaviourConfig, type BehaviourConfigInput } from './behaviour/config.js';
export { PROFILE_NAMES, isProfileName, type ProfileName } from './allowlist/profiles.js';
export { siteConfigSchema, siteOptionsFromConfig, type SiteConfig } from './site/config.js';
