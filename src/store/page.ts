/** Paging and ordering checks shared by the list queries: what reaches SQL is a whitelisted word or a parameter. */
import { BadRequestError } from '../core/index.js';

/** Most rows one list query returns. */
export const MAX_LIMIT = 1000;

export const ORDER_SQL = { asc: 'ASC', desc: 'DESC' } as const;

export function checkPage(limit: number, offset: number): void {
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
    throw new BadRequestError(`limit must be an integer from 0 to ${MAX_LIMIT}`, 'limit');
  }
  if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError('offset must be an integer ≥ 0', 'offset');
}

/** The SQL of a whitelisted sort key and order; anything else is a BadRequestError naming the parameter. */
export function orderBy<K extends string>(sorts: Record<K, string>, sort: K, order: 'asc' | 'desc'): { sort: string; order: string } {
  const sortSql = Object.hasOwn(sorts, sort) ? sorts[sort] : undefined;
  const orderSql = Object.hasOwn(ORDER_SQL, order) ? ORDER_SQL[order] : undefined;
  if (!sortSql) throw new BadRequestError(`sort must be one of ${Object.keys(sorts).join(', ')}`, 'sort');
  if (!orderSql) throw new BadRequestError('order must be asc or desc', 'order');
  return { sort: sortSql, order: orderSql };
}
