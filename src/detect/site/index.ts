/** Site knowledge: what each site serves, learned from its traffic; overrules sensitive-name rules on its content. */
export type { HeldChanges } from './held-hits.js';
export { SiteKnowledge, EXPOSED_FILE_RULE, UNSERVED_SCRIPT_RULE, type SiteKnowledgeDeps, type SiteSnapshot, type Review } from './site-knowledge.js';
export type { SiteKnowledgeOptions, ContentVerdict } from './types.js';
export type { SiteTableJson } from './site-table.js';
export { LEAK_RULES, nameClass, isExposedName } from './sensitive-names.js';
export { siteKey, refererHost, DEFAULT_SITE } from './site-key.js';
export { siteConfigSchema, siteOptionsFromConfig, type SiteConfig } from './config.js';
