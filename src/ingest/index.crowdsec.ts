/**
 * The CrowdSec LAPI client, source and push sink (src/ingest/crowdsec/): a surface of its own, so what loads the
 * ingest index (the parse worker, analyze) does not load these and their schemas.
 */
export * from './crowdsec/index.js';
