/**
 * `npm start` on the embedded defaults: the first start prints an admin key once on stderr (never in the
 * log), the API refuses calls without it and answers with it; a restart prints none and the key still works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, waitFor } from './serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('first-run admin key', () => {
  it('is printed once, works, is not logged, and is not made again on restart', async () => {
    // No RAMPART_API_KEY: the embedded first run on 127.0.0.1, as after `npm ci && npm start`.
    const env = { RAMPART_API_KEY: '', API_KEY: '', LOG_LEVEL: 'info' };
    const first = await startServe(['--data-dir', dir], env);
    let key = '';
    try {
      key = await waitFor('the first-run key on stderr', async () => /first run: created an admin API key[^\n]*\n\n {4}(rk_[A-Za-z0-9_-]{43})\n/.exec(first.stderr())?.[1], 30_000);
      const get = (headers: Record<string, string>) => fetch(`${first.baseUrl}/api/stats?range=1h`, { headers }).then((r) => r.status);
      expect(await get({})).toBe(401);
      expect(await get({ authorization: `Bearer ${key}` })).toBe(200);
      expect(await fetch(`${first.baseUrl}/health`).then((r) => r.status)).toBe(200);
      expect(first.stdout()).toContain('first-run admin key created');
      expect(first.stdout()).not.toContain(key);
      expect(first.stderr().split(key).length).toBe(2);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = await startServe(['--data-dir', dir], env);
    try {
      const ready = await waitFor('ready', async () => ((await fetch(`${second.baseUrl}/ready`)).status === 200 ? true : undefined), 30_000);
      expect(ready).toBe(true);
      expect(second.stderr()).not.toContain('first run');
      expect((await fetch(`${second.baseUrl}/api/stats?range=1h`, { headers: { 'x-api-key': key } })).status).toBe(200);
    } finally {
      await second.stop();
    }
  }, 180_000);
});
