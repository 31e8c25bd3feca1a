/**
 * The read-first lock: which waiter runs next. Each holder is a promise the test settles by hand, the clock is
 * stepped by the test, so the order is all that is asserted.
 */
import { describe, expect, it } from 'vitest';
import { ReadFirstLock, type LockKind } from './pglite-lock.js';

interface Held {
  name: string;
  done: () => void;
}

/** A lock whose holders record their start and wait for the test to end them. */
function harness(readPhaseMs = 250) {
  let clock = 0;
  const lock = new ReadFirstLock({ readPhaseMs, now: () => clock });
  const started: string[] = [];
  const holding: Held[] = [];
  const take = (kind: LockKind, name: string, then?: () => void): Promise<void> =>
    lock.run(kind, () => {
      started.push(name);
      return new Promise<void>((resolve) => holding.push({ name, done: resolve })).then(then);
    });
  /** Ends the current holder and lets the hand-over (one event-loop turn after a read) happen. */
  const finish = async (name: string): Promise<void> => {
    const i = holding.findIndex((h) => h.name === name);
    if (i < 0) throw new Error(`${name} does not hold the lock (started: ${started.join(', ')})`);
    holding.splice(i, 1)[0]!.done();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  };
  return { lock, started, take, finish, advance: (ms: number) => (clock += ms) };
}

describe('ReadFirstLock', () => {
  it('runs a read queued during a write before the write queued earlier than it', async () => {
    const h = harness();
    void h.take('write', 'w1');
    void h.take('write', 'w2');
    void h.take('read', 'r1');
    void h.take('read', 'r2');
    expect(h.started).toEqual(['w1']);
    await h.finish('w1');
    expect(h.started).toEqual(['w1', 'r1']);
    await h.finish('r1');
    await h.finish('r2');
    expect(h.started).toEqual(['w1', 'r1', 'r2', 'w2']);
  });

  it('keeps the next statement of a read (sent on its answer) ahead of a write that waited meanwhile', async () => {
    const h = harness();
    // The caller sends its next query after its answer has passed through a few awaits (repository, named()),
    // which is after the lock has been let go.
    const second = h.take('read', 'count').then(async () => {
      for (let i = 0; i < 5; i++) await null;
      await h.take('read', 'page');
    });
    void h.take('write', 'w1');
    await h.finish('count');
    expect(h.started).toEqual(['count', 'page']);
    await h.finish('page');
    await second;
    expect(h.started).toEqual(['count', 'page', 'w1']);
  });

  it('lets a waiting write go once reads have gone ahead of it for the read phase (continuous reads)', async () => {
    const h = harness(100);
    let n = 0;
    // Two readers, each sending its next read as soon as the last one is answered: a read is always waiting.
    const reader = (id: string): void => void h.take('read', `${id}${n++}`, () => reader(id));
    reader('a');
    reader('b');
    void h.take('write', 'w');
    for (let i = 0; i < 20 && !h.started.includes('w'); i++) {
      h.advance(30);
      await h.finish(h.started.at(-1)!);
    }
    const reads = h.started.indexOf('w');
    // 30 ms per read, 100 ms of phase: the write starts after the fourth read (the one running when the phase ends).
    expect(reads).toBe(4);
    await h.finish('w');
    expect(h.started.length).toBe(6);
  });

  it('serves a read under a continuous stream of writes after the write in progress', async () => {
    const h = harness();
    // The pipeline: each write is sent the moment the previous one commits.
    const writer = (i: number): void => void h.take('write', `w${i}`, () => writer(i + 1));
    writer(0);
    void h.take('read', 'r');
    await h.finish('w0');
    expect(h.started).toEqual(['w0', 'r']);
    await h.finish('r');
    expect(h.started).toEqual(['w0', 'r', 'w1']);
  });

  it('keeps first-come order within writes and within reads, and passes results and errors through', async () => {
    const lock = new ReadFirstLock();
    const order: string[] = [];
    const op = (kind: LockKind, name: string, fail = false) =>
      lock.run(kind, async () => {
        order.push(name);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([op('write', 'w1'), op('write', 'w2', true), op('write', 'w3'), op('read', 'r1'), op('read', 'r2')]);
    expect(order).toEqual(['w1', 'r1', 'r2', 'w2', 'w3']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['w1', 'w2', 'w3', 'r1', 'r2']);
  });

  it('turns a synchronous throw in fn into a rejection and frees the lock', async () => {
    const lock = new ReadFirstLock();
    await expect(
      lock.run('read', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(lock.run('write', () => Promise.resolve(7))).resolves.toBe(7);
  });
});
