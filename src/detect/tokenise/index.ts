/**
 * Tokenising detectors (issue 10, item 3): each Tokeniser reads a value in one language's grammar. Adding
 * one is one line in TOKENISERS; the engine runs them all through one TokeniserDetector.
 */
import { TokeniserDetector } from './detector.js';
import { xssTokeniser } from './html.js';
import { shellTokeniser } from './shell.js';
import type { Tokeniser } from './types.js';
import { sqlTokeniser } from './sql-tokeniser.js';

export { TokeniserDetector, isPlain, tokenisedValue, MAX_TOKENISED, MAX_TOKENISED_ARGS, MAX_TOKENISED_PER_EVENT, VERDICT_CACHE_SIZE, type TokeniserState, type TokenisedEvent } from './detector.js';
export type { Tokeniser, TokenFinding, TokenisedField } from './types.js';
export { sqlInjection, MAX_SQL_VALUE, type SqlFinding } from './sql.js';

/** The tokenisers the engine runs, in the order their detections are listed. */
export const TOKENISERS: readonly Tokeniser[] = [sqlTokeniser, xssTokeniser, shellTokeniser];

/** The detector over TOKENISERS that buildDetection adds to the engine. */
export function tokeniserDetector(tokenisers: readonly Tokeniser[] = TOKENISERS): TokeniserDetector {
  return new TokeniserDetector(tokenisers);
}
