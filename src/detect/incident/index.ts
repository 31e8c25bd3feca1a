/** Per-IP incidents: an IP's flagged lines folded into one verdict (see ip-verdict.ts). */
export * from './ip-verdict.js';
