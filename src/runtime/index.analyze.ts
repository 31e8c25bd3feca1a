/**
 * Runtime entry for `rampart analyze` alone: the batch run without the serving roles, the store
 * drivers or enrichment (which index.ts brings), so a small analyze starts light.
 */
export { analyze, type AnalyzeOptions, type AnalyzeOutput, type AnalyzeResult } from './analyze.js';
export { AnalyzeSummary, ipVerdictJsonLine, threatJsonLine, type LineTotals, type SummaryParts } from './analyze-summary.js';
export { loadedRuleIds, notApplicableIds } from './applicability.js';
