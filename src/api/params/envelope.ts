/**
 * The one response envelope of every paginated analytics list: the items, the total matching the filters,
 * the page in both vocabularies (limit/offset and page/per_page/pages), and the cursor of the next page.
 */
import * as z from 'zod';
import { encodeCursor } from './cursor.js';
import type { Page } from './pagination.js';

export interface PageEnvelope<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  page: number;
  per_page: number;
  pages: number;
  next_cursor: string | null;
}

/**
 * Builds the envelope. `lastKey` gives the (time, id) of a row, for the next cursor: given only for
 * time-sorted lists; the cursor is offered when the page is full (a short page is the last one).
 */
export function pageEnvelope<T>(
  items: T[],
  total: number,
  page: Page,
  lastKey?: (item: T) => { time: number; id: string },
  order: 'asc' | 'desc' = 'desc',
): PageEnvelope<T> {
  const last = items[items.length - 1];
  const full = items.length === page.limit && last !== undefined;
  const next = full && lastKey ? encodeCursor({ ...lastKey(last), order: page.cursor?.order ?? order }) : null;
  return {
    items,
    total,
    limit: page.limit,
    offset: page.offset,
    page: page.cursor ? 0 : Math.floor(page.offset / page.limit) + 1,
    per_page: page.limit,
    pages: Math.ceil(total / page.limit),
    next_cursor: next,
  };
}

/** The zod response schema of an envelope around `item` (gives the OpenAPI schema and the serializer's). */
export function pageEnvelopeSchema<T extends z.ZodType>(item: T) {
  const n = z.number().int().min(0);
  return z.object({
    items: z.array(item),
    total: n.describe('Rows matching the filters, ignoring the page.'),
    limit: n,
    offset: n.describe('Rows skipped (0 with a cursor).'),
    page: n.describe('1-based page number; 0 when the page was reached by cursor.'),
    per_page: n,
    pages: n.describe('Pages of per_page rows in total.'),
    next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
  });
}
