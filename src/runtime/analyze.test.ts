import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { DiskCache } from '../core/index.js';
import { analyze, type AnalyzeOutput } from './analyze.js';

const BENIGN = '203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"';
const SQLI = `198.51.100.9 - - [10/Oct/2026:13:55:37 +0000] "GET /item?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"`;

function input(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-analyze-'));
  const file = join(dir, 'access.log');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function run(lines: string[], output: AnalyzeOutput) {
  const { config } = loadConfig({ env: {}, dotEnv: false });
  let written = '';
  const result = await analyze({
    config,
    files: [input(lines)],
    stdin: Readable.from([]),
    output,
    store: false,
    geo: false,
    cache: new DiskCache(mkdtempSync(join(tmpdir(), 'rampart-cache-'))),
    write: (t) => {
      written += t;
    },
  });
  return { ...result, written };
}

describe('analyze (runtime)', () => {
  it('counts the lines, the bad ones and what was flagged', async () => {
    const r = await run([BENIGN, 'not a log line', SQLI, BENIGN], 'text');
    expect(r.totals).toMatchObject({ read: 4, parsed: 3, unparsed: 1, overlong: 0 });
    expect(r.summary.threats).toBe(1);
    expect(r.summary.byCategory.get('sqli')).toBe(1);
    expect([...r.summary.byIp.keys()]).toEqual(['198.51.100.9']);
    expect(r.written).toBe('');
  });

  it('writes one JSON object per flagged line, then per flagged IP, with --output jsonl', async () => {
    const r = await run([BENIGN, SQLI], 'jsonl');
    const objects = r.written.trim().split('\n').map((l) => JSON.parse(l) as { type: string; ip: string; line?: number });
    expect(objects[0]).toMatchObject({ type: 'line', ip: '198.51.100.9', line: 2, category: 'sqli' });
    expect(objects.slice(1).every((o) => o.type === 'ip')).toBe(true);
  });
});
