/**
 * Opaque cursors for deep pages of time-sorted lists: keyset on (time, id), so page 10,000 costs what page 1
 * costs (an index range from the last row seen) instead of walking and discarding every row before it.
 * The text is base64url of `v1|<sort direction>|<epoch ms>|<id>`: clients treat it as opaque, the server
 * validates every part before it reaches a query.
 */

/** The last row of a page: the next page starts strictly after it in the list's order. */
export interface Cursor {
  time: number;
  id: string;
  order: 'asc' | 'desc';
}

/** Ids are event ids (16 hex), numeric ids or uuids; anything longer is not one of ours. */
const ID = /^[0-9A-Za-z_-]{1,64}$/;
const MS = /^\d{1,15}$/;
export const MAX_CURSOR_LENGTH = 200;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`v1|${c.order}|${Math.trunc(c.time)}|${c.id}`, 'utf8').toString('base64url');
}

/** The cursor, or a problem for "query parameter cursor <problem>". */
export function decodeCursor(raw: string): Cursor | string {
  const bad = 'is not a cursor from this API (pass next_cursor from the previous page unchanged)';
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) return bad;
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (parts.length !== 4) return bad;
  const [version, order, ms, id] = parts as [string, string, string, string];
  if (version !== 'v1' || (order !== 'asc' && order !== 'desc') || !MS.test(ms) || !ID.test(id)) return bad;
  return { order, time: Number(ms), id };
}
