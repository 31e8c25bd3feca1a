/** Runtime entry for `rampart explain` alone (the serving roles, store drivers and enrichment stay unloaded). */
export { explainLine, type ExplainOptions, type LineExplanation, type SiteSays } from './explain.js';
