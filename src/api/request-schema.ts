/**
 * Request schemas are zod 4 schemas: one schema per route part (querystring, params, body) gives the
 * TypeScript type (`z.output`), the validation with its bounds, and the JSON Schema in the OpenAPI document
 * (`z.toJSONSchema`). Fastify calls `compileRequestSchema` for each part; the swagger plugin calls
 * `requestSchemaToOpenApi` when it builds /openapi.json.
 *
 * Errors name the parameter and what was wrong (the bounds come from the same schema). A path parameter that
 * does not fit answers 404 naming the route: `/api/threats/latest` is a route that does not exist, not a
 * threat that is missing.
 */
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import * as z from 'zod';
import { BadRequestError, NotFoundError, type RampartError } from '../core/index.js';

/** Query parameters that may repeat (`severity=high&severity=critical`): the values are joined with commas. */
const REPEATABLE = new WeakSet<z.ZodType>();

/**
 * What the OpenAPI document shows for a parameter whose zod schema parses a string into something else
 * (an integer, a time): the client's view, e.g. `{type: 'integer', minimum: 1, maximum: 500, default: 50}`.
 */
const DOCUMENTED_AS = new WeakMap<object, Record<string, unknown>>();

export function documentAs<T extends z.ZodType>(schema: T, json: Record<string, unknown>): T {
  DOCUMENTED_AS.set(schema, json);
  return schema;
}

/** Marks a comma-list parameter as accepting the repeated form too. */
export function repeatable<T extends z.ZodType>(schema: T): T {
  REPEATABLE.add(schema);
  return schema;
}

type Part = 'querystring' | 'params' | 'body' | 'headers';

const WHERE: Record<Part, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'body field',
  headers: 'header',
};

/** Fastify's validator compiler for every route part; a JSON-Schema request schema is a programming error. */
export const compileRequestSchema: FastifySchemaCompiler<unknown> = ({ schema, httpPart, method, url }) => {
  if (!(schema instanceof z.ZodType)) {
    throw new Error(`${method} ${url}: the ${httpPart ?? 'request'} schema must be a zod schema (src/api/request-schema.ts)`);
  }
  const part = (httpPart ?? 'body') as Part;
  return (data: unknown) => {
    const input = part === 'querystring' ? foldRepeatedKeys(schema, data) : data;
    if (input instanceof BadRequestError) return { error: input };
    const result = schema.safeParse(input ?? {});
    if (result.success) return { value: result.data };
    return { error: requestError(part, result.error.issues[0], input, Object.keys(shapeOf(schema)), method, url) };
  };
};

/**
 * Fastify's query parser turns a repeated key into an array. A repeatable list joins it (the comma form and
 * the repeated form mean the same); any other parameter given twice is ambiguous, so it is an error.
 */
function foldRepeatedKeys(schema: z.ZodType, data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  const shape = shapeOf(schema);
  // No prototype: `__proto__=1` stays a key (an unknown parameter), not a prototype assignment.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) {
      const field = shape[key];
      if (!field || !REPEATABLE.has(field)) {
        return new BadRequestError(`query parameter ${quote(key)} is given more than once; give it once`, key);
      }
      out[key] = value.join(',');
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The fields of an object schema, also when a transform wraps it (a pipe's input side). */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodPipe) return shapeOf(schema.in as z.ZodType);
  return {};
}

function requestError(
  part: Part,
  issue: z.core.$ZodIssue | undefined,
  input: unknown,
  known: readonly string[],
  method: string | undefined,
  url: string | undefined,
): RampartError {
  const where = WHERE[part];
  if (!issue) return new BadRequestError(`invalid ${where}`);
  const name = issue.path.length > 0 ? pathName(issue.path) : '';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    // Every unknown name at once, so a client fixes them in one go.
    const names = issue.keys.length > 1 ? `${where}s ${issue.keys.slice(0, 20).map(quote).join(', ')}` : `${where} ${quote(key)}`;
    return new BadRequestError(`unknown ${names}; valid: ${known.join(', ') || 'none'}`, key);
  }
  const problem = describeIssue(issue);
  if (part === 'params') {
    // A path that does not fit the route's pattern names no resource: the route does not exist.
    return new NotFoundError(`no route for ${method ?? 'GET'} ${routeShown(url, input)}: ${where} ${quote(name)} ${problem}`);
  }
  if (name === '') return new BadRequestError(`${part === 'body' ? 'body' : where} ${problem}`);
  const given = valueAt(input, issue.path);
  const got = part !== 'body' && typeof given === 'string' ? ` (got ${shown(given)})` : '';
  return new BadRequestError(`${where} ${quote(name)} ${problem}${got}`, String(issue.path[0]));
}

/** What was wrong with a value, as the end of a sentence naming it (`must be at most 10`). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} items`;
      return `must be at most ${String(issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      return `must be at least ${String(issue.minimum)}`;
    case 'invalid_type':
      return `must be ${article(issue.expected)}`;
    case 'invalid_format':
      // A schema's own message (`.regex(re, 'is not a threat id…')`) says more than zod's default.
      return issue.message.startsWith('Invalid') ? `is malformed: expected ${issue.format}` : issue.message;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `iocs[3]`, `a.b`: the path of the field the issue is about. */
export function pathName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Request text is hostile: bounded and JSON-quoted before it is echoed in a message. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
}

function quote(name: string): string {
  return shown(name);
}

/** The route with the given path parameters filled in, e.g. `/api/threats/latest`. */
function routeShown(url: string | undefined, params: unknown): string {
  const pattern = url ?? '/';
  const values = (params ?? {}) as Record<string, unknown>;
  const filled = pattern.replace(/:([A-Za-z0-9_]+)/g, (_m, key: string) => {
    const v = String(values[key] ?? '');
    return v.length > 80 ? v.slice(0, 80) + '…' : v;
  });
  return filled;
}

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of a zod schema, honouring `documentAs`. */
export function zodToJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const doc = DOCUMENTED_AS.get(zodSchema);
      if (!doc) return;
      const target = jsonSchema as Record<string, unknown>;
      for (const key of Object.keys(target)) delete target[key];
      Object.assign(target, doc);
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** JSON Schema of what a client sends: the input side of each schema. */
export function toRequestJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return zodToJsonSchema(schema, 'input');
}

const REQUEST_PARTS = ['querystring', 'params', 'body', 'headers'] as const;

/** @fastify/swagger's `transform`: zod request schemas become JSON Schema in the document. */
export function requestSchemaToOpenApi({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of REQUEST_PARTS) {
    const s = (schema as Record<string, unknown>)[part];
    if (s instanceof z.ZodType) out[part] = toRequestJsonSchema(s);
  }
  return { schema: out as FastifySchema, url };
}
