/**
 * Loads YAML rule packs, validates them strictly, compiles their matchers. Every error names the file,
 * the rule id and the field, because the person reading it is editing that YAML.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml, CATEGORIES, SEVERITIES, type DiskCache, RampartError } from '../../core/index.js';
import type { z } from 'zod';
import { TRANSFORM_NAMES, type TransformName } from '../transforms/index.js';
import { describeShape, quadraticShape, whitespaceCompressed } from './quadratic.js';
import { regexProblem } from './safety.js';
import { packSchema, ruleSchema, type RuleDoc } from './schema.js';
import type { CompiledMatch, Rule, RuleSet } from './types.js';

export class RuleLoadError extends RampartError {
  constructor(
    readonly file: string,
    readonly ruleId: string | null,
    readonly field: string | null,
    problem: string,
  ) {
    super(
      'invalid_config',
      `${file}${ruleId !== null ? `: rule ${ruleId}` : ''}${field !== null ? `: field ${field}` : ''}: ${problem}`,
    );
  }
}

const DEFAULT_TRANSFORMS: readonly TransformName[] = ['urlDecode', 'unicodeEscape', 'htmlEntity', 'nullByte', 'compressWhitespace'];

type Issue = z.core.$ZodIssue;

/** Bumped when ValidatedPack's shape or what validation guarantees changes (2: regexProblem checked). */
const VERSION_OF_FORMAT = 2;

/**
 * What a cache entry's name hashes besides the pack's text: the schema module's own source (schema.js
 * built, schema.ts under tsx) and the lists it imports, so an edit to the schema renames every entry.
 * Null when the schema's source cannot be read: then nothing is cached.
 */
let cacheSalt: string | null | undefined;
function cacheKeySalt(): string | null {
  if (cacheSalt !== undefined) return cacheSalt;
  try {
    const ext = extname(fileURLToPath(import.meta.url));
    const source = readFileSync(new URL(`./schema${ext}`, import.meta.url), 'utf8');
    // The backtracking analysis runs at validation too (its verdict is cached with the pack).
    const analysis = readFileSync(new URL(`./quadratic${ext}`, import.meta.url), 'utf8');
    cacheSalt = JSON.stringify([VERSION_OF_FORMAT, CATEGORIES, SEVERITIES, TRANSFORM_NAMES, source, analysis]);
  } catch {
    cacheSalt = null;
  }
  return cacheSalt;
}

/** The most useful issue: inside a union (match: regex | phrases | operator), the closest branch. */
function describe(issue: Issue, prefix: readonly PropertyKey[]): { field: string; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
    if (best !== undefined && best[0] !== undefined) return describe(best[0], path);
  }
  const extra = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return { field: path.map(String).join('.') || '(rule)', message: issue.message + extra };
}

function firstIssue(err: z.ZodError): { field: string; message: string } {
  const issue = err.issues[0];
  return issue === undefined ? { field: '?', message: 'invalid' } : describe(issue, []);
}

/** A pack after YAML parsing and schema validation: plain data, the same on every load of the same text. */
interface ValidatedPack {
  category: Rule['category'];
  defaults: { fields?: Rule['fields']; transforms?: string[]; tags?: string[] } | undefined;
  rules: RuleDoc[];
}

function validatePack(text: string, file: string): ValidatedPack {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new RuleLoadError(file, null, null, `YAML: ${(e as Error).message}`);
  }
  const pack = packSchema.safeParse(doc);
  if (!pack.success) {
    const { field, message } = firstIssue(pack.error);
    throw new RuleLoadError(file, null, field, message);
  }
  const { category, defaults } = pack.data;
  const rules = pack.data.rules.map((raw, i) => {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : `#${i + 1}`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      throw new RuleLoadError(file, id, field, message);
    }
    checkBacktracking(parsed.data, (defaults?.transforms as TransformName[] | undefined) ?? DEFAULT_TRANSFORMS, file);
    return parsed.data;
  });
  return { category, defaults, rules };
}

/**
 * YAML parsing and validation are most of a pack's load time (about 0.6 s for the shipped packs in a
 * fresh process, against about 0.1 s to compile them), so a validated pack is kept in the cache under
 * a hash of its text and of everything the schema depends on. Compilation always runs.
 */
function cachedPack(text: string, file: string, cache: DiskCache | undefined): ValidatedPack {
  const salt = cache ? cacheKeySalt() : null;
  if (!cache || salt === null) return validatePack(text, file);
  const name = `rules-${createHash('sha256').update(salt).update(text).digest('hex').slice(0, 40)}.json`;
  const hit = cache.read(name);
  if (hit) {
    try {
      return JSON.parse(hit.toString('utf8')) as ValidatedPack;
    } catch {
      // A damaged entry: rebuild it below.
    }
  }
  const pack = validatePack(text, file);
  cache.write(name, JSON.stringify(pack));
  return pack;
}

export function loadRulePackText(text: string, file: string, cache?: DiskCache): Rule[] {
  const { category, defaults, rules } = cachedPack(text, file, cache);
  return rules.map((doc) =>
    compileRule(doc, file, {
      category,
      fields: defaults?.fields,
      transforms: defaults?.transforms as TransformName[] | undefined,
      tags: defaults?.tags,
    }),
  );
}

/**
 * The polynomial shapes (quadratic.ts), judged on the text the rule really sees (after its
 * transforms). Part of validation, so its verdict is cached with the pack: the analysis costs about
 * as much as compiling the shipped packs. Nested quantifiers and backreferences are refused first; a
 * pattern that does not compile is left to compileRule, whose message says that.
 */
function checkBacktracking(doc: RuleDoc, packTransforms: readonly TransformName[], file: string): void {
  const m = doc.match;
  if (!('regex' in m)) return;
  // Checked here, where the verdict is cached with the pack, rather than at each compile (about 20 ms
  // of a fresh process for the shipped packs).
  const problem = regexProblem(m.regex);
  if (problem !== null) throw new RuleLoadError(file, doc.id, 'match.regex', problem);
  try {
    new RegExp(m.regex, m.flags ?? '');
  } catch {
    return;
  }
  const transforms = (doc.transforms as TransformName[] | undefined) ?? packTransforms;
  let shape;
  try {
    shape = quadraticShape(m.regex, m.flags ?? '', whitespaceCompressed(transforms));
  } catch (e) {
    throw new RuleLoadError(file, doc.id, 'match.regex', `cannot be checked for backtracking: ${(e as Error).message}`);
  }
  if (shape === null) return;
  const shown = m.regex.length > 200 ? `${m.regex.slice(0, 200)}…` : m.regex;
  throw new RuleLoadError(file, doc.id, 'match.regex', `${describeShape(shape)} (pattern ${JSON.stringify(shown)})`);
}

interface Defaults {
  category: Rule['category'];
  fields: Rule['fields'] | undefined;
  transforms: readonly TransformName[] | undefined;
  tags: readonly string[] | undefined;
}

function compileRule(doc: RuleDoc, file: string, d: Defaults): Rule {
  const fail = (field: string, problem: string): never => {
    throw new RuleLoadError(file, doc.id, field, problem);
  };
  const fields = doc.fields ?? d.fields ?? fail('fields', 'no fields and no pack default');
  const base = (doc.transforms as TransformName[] | undefined) ?? d.transforms ?? DEFAULT_TRANSFORMS;
  const transforms: TransformName[] = base.includes('lowercase') ? [...base] : [...base, 'lowercase'];
  let match: CompiledMatch;
  let literals: string[] = (doc.requires ?? []).map((l) => l.toLowerCase());
  const m = doc.match;
  if ('regex' in m) {
    // regexProblem ran at validation (checkBacktracking): every pack is validated or was validated
    // by this format of the cache.
    let re: RegExp;
    try {
      re = new RegExp(m.regex, m.flags ?? '');
    } catch (e) {
      return fail('match.regex', (e as Error).message);
    }
    if (literals.length === 0 && doc.always !== true) {
      fail('requires', 'a regex rule needs at least one required literal, or `always: true`');
    }
    match = { kind: 'regex', re };
  } else if ('phrases' in m) {
    const phrases = m.phrases.map((p) => p.toLowerCase());
    if (literals.length === 0) literals = phrases;
    match = { kind: 'phrases', phrases, word: m.boundary === 'word' };
  } else {
    const values = (Array.isArray(m.value) ? m.value : [m.value]).map((v) => String(v).toLowerCase());
    if (m.operator !== 'status_in' && literals.length === 0) literals = values;
    match = { kind: 'operator', op: m.operator, values };
  }
  const nonAscii = literals.find((l) => /[^\x00-\x7f]/.test(l));
  if (nonAscii !== undefined) fail('requires', `literal ${JSON.stringify(nonAscii)} is not ASCII (the prefilter matches ASCII only)`);
  const always = doc.always === true || (match.kind === 'operator' && match.op === 'status_in');
  return {
    id: doc.id,
    name: doc.name,
    category: doc.category ?? d.category,
    severity: doc.severity,
    confidence: doc.confidence,
    fields,
    transforms,
    match,
    literals: always ? [] : literals,
    always,
    tags: [...(d.tags ?? []), ...(doc.tags ?? [])],
    simulated: doc.mode === 'simulation',
    examples: { match: doc.examples.match, noMatch: doc.examples.no_match ?? [] },
    source: file,
  };
}

/** Load and validate several packs; duplicate rule ids across packs are an error. */
export function loadRulePacks(paths: readonly string[], opts: { cache?: DiskCache } = {}): RuleSet {
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new RuleLoadError(path, null, null, `cannot read: ${(e as Error).message}`);
    }
    for (const rule of loadRulePackText(text, path, opts.cache)) {
      const prev = seen.get(rule.id);
      if (prev !== undefined) throw new RuleLoadError(path, rule.id, 'id', `duplicate id (also in ${prev})`);
      seen.set(rule.id, path);
      rules.push(rule);
    }
  }
  return { rules, files: [...paths] };
}
