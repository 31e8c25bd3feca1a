export * from './event.js';
export * from './detection.js';
export * from './errors.js';
