/** Ingest: public surface of src/ingest (sources, log formats, the record normaliser, the demo simulator). */
export type * from './types.js';
export * from './normalise.js';
export * from './event-id.js';
export * from './formats/index.js';
export * from './tail/index.js';
export * from './read/index.js';
export * from './demo/index.js';
export * from './sensor/index.js';
