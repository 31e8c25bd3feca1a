import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLines, writeDemoLog } from './index.js';
import { COMBINED } from './testing/combined-format.js';

const dir = await mkdtemp(join(tmpdir(), 'rampart-demo-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeDemoLog', () => {
  it('writes the generated lines and an aligned label sidecar', async () => {
    const out = join(dir, 'nested', 'access.log');
    const labelsOut = join(dir, 'nested', 'labels.jsonl');
    const result = await writeDemoLog({ seed: 11, lines: 10_000, out, labelsOut });
    const text = await readFile(out, 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(10_000);
    expect(result).toMatchObject({ lines: 10_000, bytes: Buffer.byteLength(text) });
    expect(lines).toEqual([...generateLines({ seed: 11, lines: 10_000 })].map((l) => l.text));
    expect(lines.filter((l) => !COMBINED.test(l))).toEqual([]);

    const labels = (await readFile(labelsOut, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(labels).toHaveLength(10_000);
    const misaligned = labels.filter(
      (label, i) => label.line !== i + 1 || !lines[i]!.startsWith(`${label.ip} `),
    );
    expect(misaligned).toEqual([]);
    expect(labels.find((l) => l.category === 'sqli')).toMatchObject({ actor: 'injection' });
  });

  it('replaces an existing file and rejects bad counts before touching it', async () => {
    const out = join(dir, 'again.log');
    await writeDemoLog({ seed: 1, lines: 50, out });
    await writeDemoLog({ seed: 1, lines: 5, out });
    expect((await readFile(out, 'utf8')).split('\n')).toHaveLength(6);
    await expect(writeDemoLog({ seed: 1, lines: -5, out })).rejects.toThrow(/demo.lines/);
    expect((await readFile(out, 'utf8')).split('\n')).toHaveLength(6);
  });

  // Benchmark: RAMPART_DEMO_BENCH=1 npx vitest run src/ingest/demo/write.test.ts
  it.runIf(process.env.RAMPART_DEMO_BENCH === '1')(
    'measures 1,000,000 lines to a file',
    { timeout: 120_000 },
    async () => {
      const cpu = process.cpuUsage();
      const result = await writeDemoLog({ seed: 'bench', lines: 1_000_000, out: join(dir, 'bench.log') });
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      console.log(
        `demo: 1,000,000 lines, ${(result.bytes / 1e6).toFixed(0)} MB in ${(result.elapsedMs / 1000).toFixed(2)} s = ` +
          `${Math.round(result.lines / (result.elapsedMs / 1000))} lines/s wall, ${Math.round(result.lines / cpuSeconds)} lines per CPU second`,
      );
      expect(result.lines).toBe(1_000_000);
    },
  );
});
