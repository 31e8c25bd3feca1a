/** Which rows of a batch an `INSERT … ON CONFLICT DO NOTHING RETURNING id` added. */

/** Keeps the items whose id the insert returned, each once (a batch may repeat an id). */
export function onlyInserted<T>(items: readonly T[], idOf: (item: T) => string, ids: { id: string }[]): T[] {
  if (ids.length === items.length && new Set(items.map(idOf)).size === items.length) return [...items];
  const fresh = new Set(ids.map((r) => r.id));
  return items.filter((item) => fresh.delete(idOf(item)));
}
