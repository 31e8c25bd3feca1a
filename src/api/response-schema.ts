/**
 * Response schemas from zod: the JSON type a route returns (`z.output`) and the JSON Schema that documents
 * it and drives Fastify's serializer come from one definition. Shared ones get an `$id` so routes and the
 * OpenAPI document refer to them as components.
 */
import * as z from 'zod';
import { documentAs, zodToJsonSchema } from './request-schema.js';

/** A reference to a shared schema by its $id (`Detection#`), for a field whose items are that schema. */
export function sharedRef<T extends z.ZodType>(schema: T, id: string): T {
  // describe() makes a distinct instance, so the shared schema itself is still emitted in full.
  return documentAs(schema.describe(id), { $ref: `${id}#` });
}

/** JSON Schema of what a route sends, with `$id`; nullable scalars as `type: [t, 'null']` (cheap to serialize). */
export function responseJsonSchema(id: string, schema: z.ZodType): Record<string, unknown> {
  return { $id: id, ...(simplifyNullable(zodToJsonSchema(schema, 'output')) as Record<string, unknown>) };
}

export const count = z.number().int().min(0);

/** Counts under fixed keys (categories, severities, threat levels), in their declared order. */
export function countsOf<const K extends string>(keys: readonly K[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, count])) as Record<K, typeof count>);
}

/** JSON Schema of what one route sends (no `$id`: not a shared component). */
export function routeResponseSchema(schema: z.ZodType): Record<string, unknown> {
  return simplifyNullable(zodToJsonSchema(schema, 'output')) as Record<string, unknown>;
}

/**
 * `anyOf: [{type: 'string', …}, {type: 'null'}]` → `{type: ['string', 'null'], …}`, recursively (and the
 * safe-integer bounds zod adds dropped).
 */
export function simplifyNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplifyNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = simplifyNullable(v);
  // zod states the safe-integer range on every int; it says nothing a client needs.
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const [a, b] = anyOf as Record<string, unknown>[];
    const isNull = (s: Record<string, unknown> | undefined) => s?.type === 'null' && Object.keys(s).length === 1;
    const other = isNull(b) ? a : isNull(a) ? b : undefined;
    if (other && typeof other.type === 'string') {
      delete out.anyOf;
      return { ...other, ...out, type: [other.type, 'null'] };
    }
  }
  return out;
}
