/** Pipeline: public surface of src/pipeline (composition from config, the batch runner, counters). */
export * from './annotate.js';
export * from './deferred-source.js';
export * from './store-connect.js';
export * from './store-outage.js';
export * from './build.js';
export * from './metrics.js';
export * from './pipeline.js';
export * from './reload.js';
export * from './retention.js';
export * from './sampler.js';
