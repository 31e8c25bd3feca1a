import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveDemo } from './index.js';
import { parseCombined } from './testing/combined-format.js';

const dir = await mkdtemp(join(tmpdir(), 'rampart-live-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const readLines = async (path: string): Promise<string[]> =>
  (await readFile(path, 'utf8')).split('\n').filter(Boolean);

describe('startLiveDemo', () => {
  it('creates the folder, appends current lines at the rate, and stops on abort', async () => {
    const out = join(dir, 'data', 'demo', 'access.log');
    const controller = new AbortController();
    const demo = await startLiveDemo({
      out,
      seed: 1,
      ratePerSecond: 400,
      burstSeconds: 1,
      tickMs: 20,
      startDelayMs: 0,
      signal: controller.signal,
    });
    expect((await stat(out)).isFile()).toBe(true);
    await delay(400);
    controller.abort();
    const stats = await demo.done;

    const lines = await readLines(out);
    expect(lines).toHaveLength(stats.lines);
    expect(stats.lines).toBeGreaterThan(200);
    const times = lines.map((l) => parseCombined(l)!.time);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(Date.now() - times.at(-1)!).toBeLessThan(5_000);
    expect(Date.now() - times[0]!).toBeLessThan(5_000);

    await delay(100);
    expect(await readLines(out)).toHaveLength(stats.lines); // nothing written after stopping
  });

  it('follows the injected clock and appends to an existing file', async () => {
    const out = join(dir, 'clock.log');
    let clock = Date.UTC(2025, 2, 1, 12, 0, 0);
    const controller = new AbortController();
    const first = await startLiveDemo({
      out,
      seed: 2,
      ratePerSecond: 50,
      burstSeconds: 0,
      tickMs: 5,
      startDelayMs: 0,
      signal: controller.signal,
      now: () => (clock += 100),
    });
    await delay(150);
    controller.abort();
    const { lines } = await first.done;
    expect(lines).toBeGreaterThan(0);
    const written = await readLines(out);
    expect(written.every((l) => l.includes('/Mar/2025:12:'))).toBe(true);

    const again = new AbortController();
    const second = await startLiveDemo({
      out,
      seed: 2,
      ratePerSecond: 50,
      tickMs: 5,
      startDelayMs: 0,
      signal: again.signal,
      now: () => (clock += 100),
    });
    await delay(50);
    again.abort();
    const more = await second.done;
    expect(await readLines(out)).toHaveLength(lines + more.lines);
  });

  it('rotates to access.log.1 before the file grows past maxBytes', async () => {
    const out = join(dir, 'rotate', 'access.log');
    const controller = new AbortController();
    const maxBytes = 60_000;
    const demo = await startLiveDemo({
      out,
      seed: 3,
      ratePerSecond: 2_000,
      burstSeconds: 0.05,
      tickMs: 10,
      startDelayMs: 0,
      maxBytes,
      signal: controller.signal,
    });
    await delay(500);
    controller.abort();
    const stats = await demo.done;
    expect(stats.rotations).toBeGreaterThan(0);
    expect((await stat(out)).size).toBeLessThanOrEqual(maxBytes);
    expect((await stat(`${out}.1`)).size).toBeLessThanOrEqual(maxBytes);
  });

  it('holds the first write back by startDelayMs so a tailer can attach', async () => {
    const out = join(dir, 'delayed.log');
    const controller = new AbortController();
    const demo = await startLiveDemo({ out, seed: 4, ratePerSecond: 200, signal: controller.signal });
    await delay(300);
    expect((await stat(out)).size).toBe(0);
    await delay(1_000);
    controller.abort();
    expect((await demo.done).lines).toBeGreaterThan(100); // the 20 s burst
  });

  it('rejects a bad rate before creating anything', async () => {
    const out = join(dir, 'never', 'access.log');
    await expect(
      startLiveDemo({ out, seed: 1, ratePerSecond: 0, signal: new AbortController().signal }),
    ).rejects.toThrow(/ratePerSecond/);
    await expect(stat(out)).rejects.toThrow();
  });
});
