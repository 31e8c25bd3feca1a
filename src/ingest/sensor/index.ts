/** Events from other sensors (the ingest API): their shape, their id, their verdict as a Detection. */
export * from './event.js';
export * from './verdict.js';
