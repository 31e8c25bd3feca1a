/**
 * A hit site knowledge holds back (a served file that may yet prove to be the site's content) survives kill -9: it is
 * stored with the batch that held it, and the next process reports it when it comes due. Before held_threats, the
 * line's checkpoint was committed, so the line was never read again and the hit was lost.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benignLine, timeLocal } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-held-'));
const running: ServeProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
const heldLine = (time: number) => `192.0.2.44 - - [${timeLocal(time)}] "GET /notes/setup.log HTTP/1.1" 200 5120 "-" "${BROWSER}"`;

async function stored(p: ServeProcess): Promise<number> {
  return (await p.get('/api/stats?range=24h')).body.total_requests as number;
}

describe('held site-knowledge hits across kill -9', () => {
  it('are reported by the next process when they come due', async () => {
    const t0 = Date.now() - 40 * 60_000;
    const log = join(dir, 'access.log');
    writeFileSync(log, [heldLine(t0), benignLine(1, t0 + 1_000)].join('\n') + '\n');
    const args = ['--data-dir', join(dir, 'data'), '--log', log, '--from-start', '--no-demo'];

    const first = await startServe(args);
    running.push(first);
    await waitFor('both lines stored', async () => ((await stored(first)) >= 2 ? true : undefined), 60_000);
    // Held, not reported: the file may be the site's content.
    expect((await first.get('/api/threats?path=/notes/setup.log')).body.total).toBe(0);
    await first.stop('SIGKILL');

    const second = await startServe(args);
    running.push(second);
    // A line 31 minutes of event time later: the held hit comes due, and nobody else fetched the file.
    appendFileSync(log, benignLine(2, t0 + 31 * 60_000) + '\n');
    const reported = await waitFor(
      'the held hit reported',
      async () => {
        const { body } = await second.get('/api/threats?path=/notes/setup.log');
        return body.total > 0 ? body : undefined;
      },
      60_000,
    );
    expect(reported.items[0]).toMatchObject({ ip: '192.0.2.44', path: '/notes/setup.log' });
    expect(await second.stop()).toBe(0);
  }, 180_000);
});
