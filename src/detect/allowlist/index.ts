/** Allowlists, simulation by config and shipped exclusion profiles: living with false positives. */
export { Allowlist, AllowlistError, type AllowEntrySpec, type AllowEntryStats, type EventAllowance } from './allowlist.js';
export { SimulationSet } from './simulation.js';
export { Glob, type GlobMode } from './glob.js';
export { canonicalPath, underPrefix } from './path.js';
export { PROFILE_NAMES, isProfileName, loadProfile, parseProfile, profileDir, ProfileError, type ProfileName } from './profiles.js';
export { configAllowSpecs, type AllowlistConfig } from './config.js';
