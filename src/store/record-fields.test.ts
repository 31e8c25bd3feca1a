import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { decodeFields, encodeFields, epochMs, jsonShape, plain, selectList } from './record-fields.js';

const FIELDS = {
  id: plain('id', z.string()),
  at: epochMs('seen_at'),
  hitCount: plain('hit_count', z.number().int(), 'hits::float8'),
};

describe('record fields', () => {
  it('selects each field under its TypeScript key, decodes the row and encodes it under the JSON keys', () => {
    expect(selectList(FIELDS)).toBe(
      'id AS "id", (extract(epoch FROM seen_at) * 1000)::float8 AS "at", hits::float8 AS "hitCount"',
    );
    const value = decodeFields(FIELDS, { id: 'a', at: 1_700_000_000_000.4, hitCount: 3 });
    expect(value).toEqual({ id: 'a', at: 1_700_000_000_000, hitCount: 3 });
    const json = encodeFields(FIELDS, value);
    expect(json).toEqual({ id: 'a', seen_at: '2023-11-14T22:13:20.000Z', hit_count: 3 });
    expect(z.object(jsonShape(FIELDS)).strict().parse(json)).toEqual(json);
  });
});
