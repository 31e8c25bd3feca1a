/**
 * Pipeline: the parse stage alone (lines -> events, counters, bad-line samples, the batch encoding between threads),
 * for a thread that only parses (`analyze`'s parse worker): none of detection, the store or enrichment loads.
 */
export * from './build-ingest.js';
export * from './event-codec.js';
export * from './metrics.js';
export * from './parse.js';
export * from './sampler.js';
