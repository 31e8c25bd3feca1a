/** A compiled rule and the rule set the loader returns. */
import type { Category, Severity } from '../../core/index.js';
import type { TransformName } from '../transforms/index.js';
import type { Example, FieldSpec } from './schema.js';

export type CompiledMatch =
  | { kind: 'regex'; re: RegExp }
  | { kind: 'phrases'; phrases: readonly string[]; word: boolean }
  | { kind: 'operator'; op: 'equals' | 'prefix' | 'suffix' | 'contains' | 'in' | 'status_in'; values: readonly string[] };

export interface Rule {
  id: string;
  name: string;
  category: Category;
  severity: Severity;
  confidence: number;
  fields: readonly FieldSpec[];
  /** Always ends with `lowercase`: rules see lower-case text, literals and phrases are lower-case. */
  transforms: readonly TransformName[];
  match: CompiledMatch;
  /** Any-of literals that must appear in the normalised field for the rule to be tried. */
  literals: readonly string[];
  /** No literal gate: tried on every applicable field. */
  always: boolean;
  tags: readonly string[];
  simulated: boolean;
  examples: { match: readonly Example[]; noMatch: readonly Example[] };
  /** File the rule came from, for error messages and `rules test`. */
  source: string;
}

export interface RuleSet {
  rules: readonly Rule[];
  files: readonly string[];
}
