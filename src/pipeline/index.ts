/**
 * Pipeline: public surface of src/pipeline. The contract (stages, the parse/detect seam, sinks) is in
 * types.ts; composition from config in build.ts and build-ingest.ts; the runner in pipeline.ts; counters in metrics.ts.
 */
export type * from './types.js';
export * from './annotate.js';
export * from './deferred-source.js';
export * from './store-connect.js';
export * from './store-outage.js';
export * from './build.js';
export * from './build-ingest.js';
export * from './detect.js';
export * from './event-codec.js';
export * from './metrics.js';
export * from './parse.js';
export * from './pipeline.js';
export * from './reload.js';
export * from './retention.js';
export * from './sampler.js';
export * from './sinks.js';
export * from './verdicts.js';
export * from './sensor-ingest.js';
