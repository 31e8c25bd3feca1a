export * from './event.js';
export * from './detection.js';
export * from './errors.js';
export * from './disk-cache.js';
export * from './lazy-yaml.js';
export * from './make-directory.js';
export * from './int-list.js';
export * from './worker-entry.js';
