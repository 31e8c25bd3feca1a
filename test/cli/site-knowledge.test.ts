/**
 * Site knowledge end to end through the CLI: analyze --store learns from a replayed log which files are the site's
 * content and stores it; explain --store shows the reason; a probe of the same names stays a probe.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-site-'));

function line(ip: string, path: string, status: number, bytes: number, minute: number, referer = '-'): string {
  const t = `05/Jan/2026:10:${String(minute).padStart(2, '0')}:00 +0000`;
  return `${ip} - - [${t}] "GET ${path} HTTP/1.1" ${status} ${bytes} "${referer}" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`;
}

describe('site knowledge through the CLI', () => {
  it('analyze learns the content of a programming blog, stores it, and explain --store says why', async () => {
    const lines: string[] = [];
    // The first readers of the .c file come before it is known; the replay judges them on the whole log.
    for (let i = 1; i <= 37; i++) lines.push(line(`203.0.113.${i}`, '/code/quicksort.c', 200, 2314, i % 60));
    lines.push(line('192.0.2.66', '/backup.zip', 404, 153, 50), line('192.0.2.66', '/.git/config', 404, 153, 50));
    const log = join(dir, 'blog.log');
    writeFileSync(log, lines.join('\n') + '\n');
    const dataDir = join(dir, 'data');

    const analyzed = await runCli(['analyze', log, '--store', '--data-dir', dataDir, '--output', 'jsonl', '--no-geo']);
    expect(analyzed.code, analyzed.err).toBe(0);
    const flagged = analyzed.out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; ip: string; line?: number });
    expect(flagged.filter((o) => o.type === 'line').map((o) => o.ip)).toEqual(['192.0.2.66', '192.0.2.66']);

    const explained = await runCli(['explain', line('198.51.100.9', '/code/quicksort.c', 200, 2314, 59), '--store', '--data-dir', dataDir]);
    expect(explained.code, explained.err).toBe(0);
    expect(explained.out).toContain('known content: served 200 to 37 clients');
    expect(explained.out).toMatch(/overruled sensitive-source-code-file/);
    expect(explained.out).toMatch(/nothing left: site knowledge overruled every rule that fired/);

    const probe = await runCli(['explain', line('192.0.2.66', '/code/quicksort.c', 404, 153, 59), '--store', '--data-dir', dataDir]);
    expect(probe.out).toMatch(/FIRED sensitive-source-code-file/);
    expect(probe.out).not.toMatch(/overruled/);
  }, 300_000);
});
