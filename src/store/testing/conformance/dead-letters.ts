/** Notification dead letters: kept with their notification, listed newest first by channel, retried, removed, bounded. */
import { expect, it } from 'vitest';
import { MAX_DEAD_LETTERS } from '../../dead-letter-repository.js';
import type { ConformanceSection } from './context.js';

const T0 = Date.UTC(2026, 11, 7, 12);

export const deadLetterConformance: ConformanceSection = (t) => {
  it('keeps the notification as given (hostile text included), lists newest first per channel, pages by id', async () => {
    const repo = t.store.deadLetters;
    const hostile = { id: 'ev-1', path: "/a'; DROP TABLE x;--\u0000\u2028", query: '\\u0000 stays text', rules: ['sqli-union-select'], score: 0.93, host: null };
    const a = await repo.add({ channel: 'ops', threatId: 'ev-1', notification: hostile, error: 'webhook ops: http://127.0.0.1:9 answered 500', attempts: 5, failedAt: T0 });
    const b = await repo.add({ channel: 'mail', threatId: 'ev-2', notification: { id: 'ev-2' }, error: 'refused', attempts: 1, failedAt: T0 + 1000 });
    const c = await repo.add({ channel: 'ops', threatId: 'ev-3', notification: { id: 'ev-3' }, error: 'timeout', attempts: 5, failedAt: T0 + 2000 });
    expect(a).toMatchObject({ channel: 'ops', threatId: 'ev-1', attempts: 5, failedAt: T0, retriedAt: null });
    expect(a.notification).toEqual({ ...hostile, path: "/a'; DROP TABLE x;--\u2028" });
    expect((await repo.list({ limit: 10 })).map((d) => d.id)).toEqual([c.id, b.id, a.id]);
    expect((await repo.list({ limit: 10, channel: 'ops' })).map((d) => d.id)).toEqual([c.id, a.id]);
    expect((await repo.list({ limit: 1, before: c.id })).map((d) => d.id)).toEqual([b.id]);
    expect(await repo.list({ limit: 10, channel: "ops' OR '1'='1" })).toEqual([]);
    expect(await repo.count()).toBe(3);
  });

  it('records a failed retry, removes a delivered one, and answers null/false for an unknown id', async () => {
    const repo = t.store.deadLetters;
    const a = await repo.add({ channel: 'ops', threatId: 'ev-1', notification: { id: 'ev-1' }, error: 'first', attempts: 5, failedAt: T0 });
    expect(await repo.retryFailed(a.id, 'second', T0 + 60_000)).toMatchObject({ id: a.id, error: 'second', attempts: 6, retriedAt: T0 + 60_000 });
    expect(await repo.get(a.id)).toMatchObject({ error: 'second', attempts: 6 });
    expect(await repo.remove(a.id)).toBe(true);
    expect(await repo.remove(a.id)).toBe(false);
    expect(await repo.get(a.id)).toBeNull();
    expect(await repo.retryFailed(a.id, 'x', T0)).toBeNull();
  });

  it(`keeps only the newest ${MAX_DEAD_LETTERS}`, async () => {
    const repo = t.store.deadLetters;
    // Fill to the bound in one statement, then add through the repository: the oldest go.
    await t.store.sql.query(
      `INSERT INTO notification_dead_letters (channel, threat_id, notification, error, attempts, failed_at)
       SELECT 'ops', 'old-' || g, '{}'::jsonb, 'x', 1, now() FROM generate_series(1, $1::int) g`,
      [MAX_DEAD_LETTERS],
    );
    const last = await repo.add({ channel: 'ops', threatId: 'new', notification: {}, error: 'x', attempts: 1, failedAt: T0 });
    expect(await repo.count()).toBe(MAX_DEAD_LETTERS);
    expect((await repo.list({ limit: 1 }))[0]!.id).toBe(last.id);
    expect(await repo.list({ limit: 1, channel: 'ops', before: 2 })).toEqual([]);
  });
};
