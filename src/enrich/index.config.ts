/** The part of src/enrich that config validation needs: its schema, env bindings and secret keys, no providers. */
export { enrichConfigSchema, ENRICH_ENV_BINDINGS, ENRICH_SECRET_KEYS, type EnrichConfig } from './config.js';
