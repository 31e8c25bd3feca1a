/** Enrichment's inner parts for tests in other folders that assemble a service by hand. */
export { LocalGeoLookup, mmdbFromBuffer } from '../geoip/index.js';
export { createProviders } from '../providers/index.js';
export { MemoryState } from '../state/memory.js';
