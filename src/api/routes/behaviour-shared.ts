/**
 * What the behaviour analytics routes share: the time window (since/until or range), the host filter and the
 * pagination fields of src/api/params (without the cursor: these lists are not sorted by time, so offset pages
 * are the only kind), and the ISO form of the window in answers.
 */
import * as z from 'zod';
import { analyticsFilterFields } from '../params/filters.js';
import { DEFAULT_PAGINATION, paginationFields } from '../params/pagination.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** since, until, range. */
export { windowFields, resolveWindow } from '../params/window.js';

/** The shared `host` filter alone (exact, case-insensitive). */
export function hostField() {
  return analyticsFilterFields().host;
}

/** limit, per_page, offset, page (no cursor). */
export function offsetPaginationFields() {
  const { cursor: _cursor, ...fields } = paginationFields(DEFAULT_PAGINATION);
  return fields;
}

export const timeJson = z.iso.datetime();

export function windowJson(w: { since: number; until: number }) {
  return { since: new Date(w.since).toISOString(), until: new Date(w.until).toISOString() };
}
