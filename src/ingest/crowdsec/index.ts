/** CrowdSec's Local API both ways: its decisions and alerts as events (source), Rampart's threats pushed to it (sink). */
export * from './lapi-client.js';
export * from './lapi-schemas.js';
export * from './lapi-time.js';
export * from './mapping.js';
export * from './push.js';
export * from './source.js';
