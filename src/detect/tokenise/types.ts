/**
 * A tokeniser reads one decoded, bounded value in the grammar of a language (SQL, HTML/JavaScript, a shell
 * command line) and says whether its token sequence is an injection, so a payload nobody wrote down is
 * caught by its syntax. Pure: no state, no I/O; linear in the value's length.
 */
import type { Category, Severity } from '../../core/index.js';

export interface TokenFinding {
  /** The tokens that decided, as text (the detector truncates it to 200 characters). */
  fragment: string;
  /** 0..1 */
  confidence: number;
  /** Which decision fired, e.g. `event-handler attribute onerror in a tag`. */
  detail: string;
}

export interface Tokeniser {
  /** Detection rule id, `tokens/<class>`. */
  readonly ruleId: string;
  readonly category: Category;
  readonly severity: Severity;
  /** `value` is already percent-decoded and at most MAX_TOKENISED characters; `field` is the base field name. */
  inspect(value: string, field: TokenisedField): TokenFinding | null;
}

/** The event fields tokenisers see. */
export type TokenisedField = 'path' | 'arg' | 'user_agent' | 'referer';
