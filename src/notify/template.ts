/**
 * The webhook body template: a JSON value (written as YAML or JSON in the config) whose strings may name the
 * alert's fields, `{{ip}}`, `{{path | truncate:80}}`, `{{host | default:unknown}}`. Nothing else is evaluated:
 * no expressions, no code, no lookups outside FIELDS. The body is built as a value and serialised with
 * JSON.stringify, so whatever a field holds (quotes, `}}`, control characters, `{{x}}` from a hostile log line)
 * lands escaped inside its string and cannot change the body's shape. Placeholders are parsed once, at start-up,
 * so an unknown field or filter is a config error naming where it is.
 *
 * A string that is exactly one placeholder, without filters, keeps the field's type (`"{{score}}"` -> 0.93, `"{{rules}}"` ->
 * an array, null stays null); inside longer text a field is written as text (arrays joined with ", ", null as "").
 */
import { FIELDS, type Field, type Notification } from './types.js';

export type Filter = { name: 'upper' } | { name: 'lower' } | { name: 'truncate'; max: number } | { name: 'default'; text: string };

interface Placeholder {
  field: Field;
  filters: Filter[];
}

type Part = string | Placeholder;

export type CompiledTemplate =
  | { kind: 'literal'; value: null | boolean | number }
  | { kind: 'text'; parts: Part[] }
  | { kind: 'array'; items: CompiledTemplate[] }
  | { kind: 'object'; entries: [string, CompiledTemplate][] };

export class TemplateError extends Error {
  constructor(
    /** Where in the template, e.g. `blocks[0].text`. */
    readonly at: string,
    message: string,
  ) {
    super(`${at || '(root)'}: ${message}`);
    this.name = 'TemplateError';
  }
}

const MAX_DEPTH = 16;
const MAX_TRUNCATE = 100_000;

export function compileTemplate(value: unknown, at = '', depth = 0): CompiledTemplate {
  if (depth > MAX_DEPTH) throw new TemplateError(at, `nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value === 'boolean') return { kind: 'literal', value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TemplateError(at, 'numbers must be finite');
    return { kind: 'literal', value };
  }
  if (typeof value === 'string') return { kind: 'text', parts: parseText(value, at) };
  if (Array.isArray(value)) return { kind: 'array', items: value.map((v, i) => compileTemplate(v, `${at}[${i}]`, depth + 1)) };
  if (typeof value === 'object') {
    return {
      kind: 'object',
      entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, compileTemplate(v, at ? `${at}.${k}` : k, depth + 1)]),
    };
  }
  throw new TemplateError(at, `a template holds JSON values only, found ${typeof value}`);
}

function parseText(text: string, at: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(at, `"{{" at character ${open} has no closing "}}"`);
    parts.push(parsePlaceholder(text.slice(open + 2, close), at));
    i = close + 2;
  }
  return parts;
}

function parsePlaceholder(inner: string, at: string): Placeholder {
  const [head = '', ...rest] = inner.split('|');
  const field = head.trim();
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw new TemplateError(at, `unknown field ${JSON.stringify(field.slice(0, 40))}; fields: ${FIELDS.join(', ')}`);
  }
  return { field: field as Field, filters: rest.map((f) => parseFilter(f.trim(), at)) };
}

function parseFilter(spec: string, at: string): Filter {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const arg = colon < 0 ? undefined : spec.slice(colon + 1).trim();
  switch (name) {
    case 'upper':
    case 'lower':
      if (arg !== undefined) throw new TemplateError(at, `filter ${name} takes no argument`);
      return { name };
    case 'truncate': {
      const max = Number(arg);
      if (arg === undefined || !Number.isInteger(max) || max < 1 || max > MAX_TRUNCATE) {
        throw new TemplateError(at, `truncate needs a length from 1 to ${MAX_TRUNCATE}, e.g. truncate:80`);
      }
      return { name, max };
    }
    case 'default':
      return { name, text: arg ?? '' };
    default:
      throw new TemplateError(at, `unknown filter ${JSON.stringify(name.slice(0, 40))}; filters: upper, lower, truncate:N, default:TEXT`);
  }
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function renderTemplate(t: CompiledTemplate, n: Notification): Json {
  switch (t.kind) {
    case 'literal':
      return t.value;
    case 'array':
      return t.items.map((i) => renderTemplate(i, n));
    case 'object': {
      // A null-prototype object: a template key `__proto__` is then a plain key in the body.
      const out = Object.create(null) as Record<string, Json>;
      for (const [k, v] of t.entries) out[k] = renderTemplate(v, n);
      return out;
    }
    case 'text': {
      const only = t.parts.length === 1 ? t.parts[0] : undefined;
      if (only !== undefined && typeof only !== 'string' && only.filters.length === 0) return typed(n[only.field]);
      let s = '';
      for (const p of t.parts) s += typeof p === 'string' ? p : applyFilters(asText(n[p.field]), p.filters);
      return s;
    }
  }
}

/** The body a webhook sends: the rendered template, serialised (JSON.stringify escapes every string). */
export function renderBody(t: CompiledTemplate, n: Notification): string {
  return JSON.stringify(renderTemplate(t, n));
}

// A dead letter written by an older version may lack a field: absent reads as null.
function typed(v: Notification[Field] | undefined): Json {
  return Array.isArray(v) ? [...v] : (v ?? null);
}

function asText(v: Notification[Field] | undefined): string {
  if (v === null || v === undefined) return '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function applyFilters(s: string, filters: readonly Filter[]): string {
  for (const f of filters) {
    switch (f.name) {
      case 'upper':
        s = s.toUpperCase();
        break;
      case 'lower':
        s = s.toLowerCase();
        break;
      case 'truncate':
        // By code points, so a surrogate pair is never cut in half.
        if (s.length > f.max) s = [...s].slice(0, f.max).join('');
        break;
      case 'default':
        if (s === '') s = f.text;
        break;
    }
  }
  return s;
}
