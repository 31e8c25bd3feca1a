import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { responseJsonSchema, sharedRef, simplifyNullable } from './response-schema.js';

describe('simplifyNullable', () => {
  it.each([
    [{ anyOf: [{ type: 'string' }, { type: 'null' }] }, { type: ['string', 'null'] }],
    [{ anyOf: [{ type: 'null' }, { type: 'integer', minimum: 0 }], description: 'd' }, { type: ['integer', 'null'], minimum: 0, description: 'd' }],
    // Not a plain nullable scalar: kept as it is.
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, { anyOf: [{ type: 'string' }, { type: 'number' }] }],
    [{ anyOf: [{ $ref: 'X#' }, { type: 'null' }] }, { anyOf: [{ $ref: 'X#' }, { type: 'null' }] }],
    [{ type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }, { type: 'integer' }],
    [{ properties: { a: { anyOf: [{ type: 'string' }, { type: 'null' }] } } }, { properties: { a: { type: ['string', 'null'] } } }],
  ])('%j -> %j', (input, expected) => {
    expect(simplifyNullable(input)).toEqual(expected);
  });
});

describe('responseJsonSchema', () => {
  it('gives the $id, refers to shared schemas, and keeps the original shared schema whole', () => {
    const item = z.object({ n: z.number().int() });
    const list = z.object({ items: z.array(sharedRef(item, 'Item')), at: z.iso.datetime(), note: z.string().nullable() });
    expect(responseJsonSchema('List', list)).toMatchObject({
      $id: 'List',
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: 'Item#' } }, at: { type: 'string', format: 'date-time' }, note: { type: ['string', 'null'] } },
      required: ['items', 'at', 'note'],
      additionalProperties: false,
    });
    expect(responseJsonSchema('Item', item)).toEqual({
      $id: 'Item',
      type: 'object',
      properties: { n: { type: 'integer' } },
      required: ['n'],
      additionalProperties: false,
    });
  });
});
