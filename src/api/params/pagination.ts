/**
 * Pagination parameters shared by the analytics lists: `limit`/`offset`, the seed dashboards' `page`/`per_page`,
 * and an opaque `cursor` (keyset on (time, id), see cursor.ts) for deep pages of time-sorted lists. Resolved
 * inside a route's query schema (`.transform`), so a conflict is a 400 naming the parameter before any query.
 */
import * as z from 'zod';
import { documentAs } from '../request-schema.js';
import { decodeCursor, MAX_CURSOR_LENGTH, type Cursor } from './cursor.js';
import { integerParam } from './integer.js';

export interface PaginationOptions {
  defaultLimit: number;
  maxLimit: number;
  /** Deepest offset accepted; past it a client must use the cursor (or narrow the range). */
  maxOffset: number;
}

export const DEFAULT_PAGINATION: PaginationOptions = { defaultLimit: 50, maxLimit: 500, maxOffset: 100_000 };

/** Resolved paging: `cursor` set means keyset paging (offset is then 0). */
export interface Page {
  limit: number;
  offset: number;
  cursor?: Cursor;
}

/** The five schema fields; spread into a route's z.object. */
export function paginationFields(o: PaginationOptions = DEFAULT_PAGINATION) {
  const size = { min: 1, max: o.maxLimit };
  return {
    limit: integerParam({ ...size, description: `Page size (default ${o.defaultLimit}); per_page is the same.` }),
    per_page: integerParam({ ...size, description: 'Page size, as the seed dashboards name it; exclusive with limit.' }),
    offset: integerParam({ min: 0, max: o.maxOffset, description: 'Rows to skip; exclusive with page and cursor.' }),
    page: integerParam({
      min: 1,
      max: o.maxOffset,
      description: `1-based page number (offset = (page-1) × page size, at most ${o.maxOffset}); exclusive with offset and cursor.`,
    }),
    cursor: documentAs(z.string().max(MAX_CURSOR_LENGTH).optional(), {
      type: 'string',
      maxLength: MAX_CURSOR_LENGTH,
      description: 'Opaque: the next_cursor of the previous page, for deep pages of time-sorted lists; exclusive with offset and page.',
    }),
  };
}

interface PaginationInput {
  limit?: number | undefined;
  per_page?: number | undefined;
  offset?: number | undefined;
  page?: number | undefined;
  cursor?: string | undefined;
}

/** Resolves the fields to one Page, adding an issue naming the parameter on a conflict. */
export function resolvePagination(q: PaginationInput, ctx: z.RefinementCtx, o: PaginationOptions = DEFAULT_PAGINATION): Page {
  if (q.limit !== undefined && q.per_page !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'and "limit" are the same; give one', path: ['per_page'] });
  }
  const limit = q.limit ?? q.per_page ?? o.defaultLimit;
  const given = (['offset', 'page', 'cursor'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) {
    ctx.addIssue({ code: 'custom', message: `and "${given[1]}" are exclusive; give one`, path: [given[0] as string] });
    return { limit, offset: 0 };
  }
  if (q.cursor !== undefined) {
    const cursor = decodeCursor(q.cursor);
    if (typeof cursor === 'string') {
      ctx.addIssue({ code: 'custom', message: cursor, path: ['cursor'] });
      return { limit, offset: 0 };
    }
    return { limit, offset: 0, cursor };
  }
  const offset = q.page !== undefined ? (q.page - 1) * limit : (q.offset ?? 0);
  if (offset > o.maxOffset) {
    ctx.addIssue({
      code: 'custom',
      message: `reaches past offset ${o.maxOffset} (page × page size); use cursor or narrow since/until`,
      path: ['page'],
    });
  }
  return { limit, offset };
}
