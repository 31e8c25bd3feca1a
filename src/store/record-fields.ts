/**
 * A stored record's fields, each named once with its three forms: the SQL it is selected by, the value in
 * TypeScript (decoded from the row), and its JSON key and zod schema (the wire form, which also documents it in
 * the OpenAPI document). From one table of fields come the select list, the row decoder, the JSON encoder and
 * the JSON schema, so a field is added in one place and a mirror cannot drift.
 */
import * as z from 'zod';

export interface Field<D, J, K extends string> {
  /** The SQL expression selected (a column, or an expression over columns). */
  readonly sql: string;
  /** The key in the JSON form. */
  readonly json: K;
  readonly schema: z.ZodType<J>;
  decode(raw: unknown): D;
  encode(value: D): J;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table holds fields of every type
export type Fields = Record<string, Field<any, any, string>>;

/** The TypeScript form of a record: one property per field, by the field's key in the table. */
export type ValueOf<F extends Fields> = { -readonly [P in keyof F]: ReturnType<F[P]['decode']> };
/** The JSON form: one property per field, by its JSON key. */
export type JsonOf<F extends Fields> = { [P in keyof F as F[P]['json']]: z.output<F[P]['schema']> };

/** A column read and sent as it is (numbers are selected as numbers by the SQL given). */
export function plain<const K extends string, T>(column: K, schema: z.ZodType<T>, sql: string = column): Field<T, T, K> {
  return { sql, json: column, schema, decode: (raw) => raw as T, encode: (v) => v };
}

/** A timestamptz column: epoch ms in TypeScript, ISO 8601 in JSON. */
export function epochMs<const K extends string>(column: K, description?: string): Field<number, string, K> {
  const schema = z.iso.datetime();
  return {
    sql: `(extract(epoch FROM ${column}) * 1000)::float8`,
    json: column,
    schema: description ? schema.describe(description) : schema,
    decode: (raw) => Math.round(raw as number),
    encode: (ms) => new Date(ms).toISOString(),
  };
}

/** `expr AS "key"` for every field: rows come back keyed like the TypeScript form. */
export function selectList(fields: Fields): string {
  return Object.entries(fields)
    .map(([key, f]) => `${f.sql} AS "${key}"`)
    .join(', ');
}

export function decodeFields<F extends Fields>(fields: F, row: Record<string, unknown>): ValueOf<F> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) out[key] = f.decode(row[key]);
  return out as ValueOf<F>;
}

export function encodeFields<F extends Fields>(fields: F, value: ValueOf<F>): JsonOf<F> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) out[f.json] = f.encode((value as Record<string, unknown>)[key]);
  return out as JsonOf<F>;
}

/** The zod object of the JSON form, in the fields' order. */
export function jsonShape<F extends Fields>(fields: F): { [P in keyof F as F[P]['json']]: F[P]['schema'] } {
  return Object.fromEntries(Object.values(fields).map((f) => [f.json, f.schema])) as never;
}
