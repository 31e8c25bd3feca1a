/** The YAML rule-pack schema. Strict: an unknown key is an error, so a typo never silently disables a rule. */
import * as z from 'zod';
import { CATEGORIES, SEVERITIES } from '../../core/index.js';
import { TRANSFORM_NAMES } from '../transforms/index.js';

const FIELD_NAMES = ['path', 'query', 'uri', 'args', 'arg_names', 'user_agent', 'referer', 'method', 'host', 'status'] as const;
export type BaseField = (typeof FIELD_NAMES)[number];
/** `header:<lower-case name>` or one of FIELD_NAMES. */
export type FieldSpec = BaseField | `header:${string}`;

const fieldSpec = z.union([z.enum(FIELD_NAMES), z.string().regex(/^header:[a-z0-9-]{1,64}$/)]) as z.ZodType<FieldSpec>;
const transform = z.enum(TRANSFORM_NAMES as [string, ...string[]]);

/** An example is a raw field value (tested against each of the rule's fields) or a partial request. */
const exampleRequest = z.strictObject({
  method: z.string().optional(),
  path: z.string().optional(),
  query: z.string().optional(),
  status: z.number().int().optional(),
  user_agent: z.string().optional(),
  referer: z.string().optional(),
  host: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type ExampleRequest = z.infer<typeof exampleRequest>;
const example = z.union([z.string(), exampleRequest]);
export type Example = z.infer<typeof example>;

const regexMatch = z.strictObject({
  regex: z.string().min(1).max(2000),
  flags: z.string().regex(/^[imsu]*$/, 'flags may only use i, m, s, u').optional(),
});
const phrasesMatch = z.strictObject({
  phrases: z.array(z.string().min(2).max(200)).min(1).max(2000),
  /** `word`: the phrase must not touch a letter or digit on either side. */
  boundary: z.enum(['none', 'word']).optional(),
});
export const OPERATORS = ['equals', 'prefix', 'suffix', 'contains', 'in', 'status_in'] as const;
const operatorMatch = z.strictObject({
  operator: z.enum(OPERATORS),
  value: z.union([z.string().min(1), z.array(z.union([z.string().min(1), z.number().int()])).min(1)]),
});

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,80}$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(3).max(200),
  category: z.enum(CATEGORIES).optional(),
  severity: z.enum(SEVERITIES),
  confidence: z.number().min(0).max(1),
  fields: z.array(fieldSpec).min(1).optional(),
  transforms: z.array(transform).optional(),
  match: z.union([regexMatch, phrasesMatch, operatorMatch]),
  /** Any-of literals (lower-case, as they appear after the rule's transforms); gate the regex. */
  requires: z.array(z.string().min(1).max(100)).min(1).optional(),
  /** Run on every field without a literal gate; costs every request, so use sparingly. */
  always: z.boolean().optional(),
  tags: z.array(z.string().min(1).max(100)).optional(),
  mode: z.enum(['on', 'simulation']).optional(),
  description: z.string().max(2000).optional(),
  examples: z.strictObject({
    match: z.array(example).min(1),
    no_match: z.array(example).optional(),
  }),
});
export type RuleDoc = z.infer<typeof ruleSchema>;

export const packSchema = z.strictObject({
  pack: z.string().min(1),
  category: z.enum(CATEGORIES),
  description: z.string().optional(),
  defaults: z
    .strictObject({
      fields: z.array(fieldSpec).min(1).optional(),
      transforms: z.array(transform).optional(),
      tags: z.array(z.string()).optional(),
    })
    .optional(),
  rules: z.array(z.unknown()).min(1),
});
