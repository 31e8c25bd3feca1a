/**
 * Rotation faults, live and while stopped: each asserts, by line id over every run, that no line is
 * lost and none is read twice. Runs are pulled batch by batch (pullTail), so how much was read before
 * the rotation is decided by the test, not by timing.
 */
import {
  appendFile,
  copyFile,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../types.js';
import type { TailLogger } from './file-tail-source.js';
import { fileIdOf } from './head.js';
import { logLines, pullTail, tally, tempDir, type Pulled } from './test-helpers.js';

let dir: string;
let path: string;
const pulled: Pulled[] = [];
const warnings: string[] = [];
const logger: TailLogger = { info: () => undefined, warn: (_o, m) => warnings.push(m) };

function tail(
  opts: { checkpoints?: Checkpoint[]; patterns?: string[]; batchLines?: number; drainGraceMs?: number } = {},
): Pulled {
  const p = pullTail({ patterns: [path], logger, batchLines: 100, usePolling: true, ...opts });
  pulled.push(p);
  return p;
}

/** Runs a tail over what is in `path` until `n` lines, stops it, and returns its lines and checkpoint. */
async function firstRun(n: number, source = path) {
  const run = tail({ patterns: [source] });
  await run.until(n);
  await run.stop();
  return { lines: run.lines, checkpoint: run.checkpoint(source) };
}

beforeEach(async () => {
  dir = await tempDir();
  path = join(dir, 'access.log');
  warnings.length = 0;
});
afterEach(async () => {
  await Promise.all(pulled.splice(0).map((p) => p.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('copytruncate', () => {
  it('live, with an unread tail: the rest is read from the copy, then the new content', async () => {
    const old = logLines('old', 0, 26_500);
    await writeFile(path, old.text);
    const run = tail();
    await run.until(100); // about 2,600 lines read ahead (one chunk); the other ~23,900 unread
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    const fresh = logLines('new', 0, 500);
    await appendFile(path, fresh.text);
    await run.until(27_000, 20_000);
    expect(tally([...old.texts, ...fresh.texts], [run.lines])).toEqual({ lost: 0, duplicated: 0 });
    expect(run.lines.map((l) => l.text)).toEqual([...old.texts, ...fresh.texts]); // in order, too
    expect(run.lost).toEqual({ count: 0, bytes: 0 });
    expect(run.source.stats()[0]).toMatchObject({ truncations: 1, lostBytes: 0, losses: 0 });
  });

  it('live, with the copy compressed at once (copytruncate + compress, no delaycompress)', async () => {
    const old = logLines('old', 0, 5000);
    await writeFile(path, old.text);
    const run = tail();
    await run.until(100);
    await writeFile(`${path}.1.gz`, gzipSync(await readFile(path)));
    await truncate(path, 0);
    const fresh = logLines('new', 0, 50);
    await appendFile(path, fresh.text);
    await run.until(5050, 10_000);
    expect(run.lines.map((l) => l.text)).toEqual([...old.texts, ...fresh.texts]);
    expect(run.lost.count).toBe(0);
  });

  it('while stopped: the unread tail is read from the copy before the new content', async () => {
    const old = logLines('old', 0, 14_000);
    await writeFile(path, old.text.slice(0, 12_000 * 100));
    const first = await firstRun(12_000);
    await appendFile(path, old.text.slice(12_000 * 100)); // 2,000 lines written after the checkpoint
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    const fresh = logLines('new', 0, 300);
    await appendFile(path, fresh.text);
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(2300);
    expect(tally([...old.texts, ...fresh.texts], [first.lines, second.lines])).toEqual({
      lost: 0,
      duplicated: 0,
    });
    expect(second.lines.map((l) => l.text)).toEqual([...old.texts.slice(12_000), ...fresh.texts]);
    expect(second.lost.count).toBe(0);
  });

  it('without a copy: counts the unread bytes as lost, warns naming the file, and reads on', async () => {
    const old = logLines('old', 0, 5000);
    await writeFile(path, old.text);
    const run = tail();
    await run.until(100);
    // One chunk was read ahead; its complete lines are in memory and still come. The rest is lost.
    const handedOut = Math.floor(run.source.stats()[0]!.bytesRead / 100);
    const lostBytes = (5000 - handedOut) * 100;
    await truncate(path, 0);
    await appendFile(path, 'new 0\n');
    await run.until(handedOut + 1, 10_000);
    expect(run.lines.map((l) => l.text)).toEqual([...old.texts.slice(0, handedOut), 'new 0']);
    expect(run.lost).toEqual({ count: 1, bytes: lostBytes });
    expect(run.source.stats()[0]).toMatchObject({ lostBytes, losses: 1 });
    expect(warnings.join('\n')).toContain(`${path} was truncated or rewritten`);
    expect(warnings.join('\n')).toContain(`with ${lostBytes} bytes unread`);
  });

  it('without a copy, while stopped: a loss of unknown size is counted and reported with the next batch', async () => {
    await writeFile(path, logLines('old', 0, 10).text);
    const first = await firstRun(10);
    await truncate(path, 0);
    await writeFile(path, 'new 0\n');
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(1);
    expect(second.lines.map((l) => l.text)).toEqual(['new 0']);
    expect(second.lost).toEqual({ count: 1, bytes: 0 });
    expect(warnings.join('\n')).toMatch(/anything written to it after byte 1000 cannot be recovered/);
  });
});

describe('rename while stopped', () => {
  it.each([
    { name: 'once', rotations: 1, compress: false },
    { name: 'twice', rotations: 2, compress: false },
    { name: 'twice, the oldest compressed (.2.gz)', rotations: 2, compress: true },
    { name: 'three times, dateext names', rotations: 3, compress: false, dateext: true },
  ])(
    '$name: reads the checkpointed file from its offset, every file between, then the live one',
    async (c) => {
      const gen = Array.from({ length: c.rotations + 1 }, (_, g) => logLines(`gen${g}`, 0, 500));
      await writeFile(path, gen[0]!.text.slice(0, 200 * 100));
      const first = await firstRun(200);
      await appendFile(path, gen[0]!.text.slice(200 * 100)); // 300 unread lines in the checkpointed file
      for (let g = 1; g <= c.rotations; g++) {
        if (c.dateext) {
          await rename(path, `${path}-2024010${g}`);
        } else {
          for (let n = g - 1; n >= 1; n--) await rename(`${path}.${n}`, `${path}.${n + 1}`);
          await rename(path, `${path}.1`);
        }
        await writeFile(path, gen[g]!.text);
      }
      if (c.compress) {
        await writeFile(`${path}.2.gz`, gzipSync(await readFile(`${path}.2`)));
        await rm(`${path}.2`);
      }
      const want = gen.flatMap((g) => g.texts);
      const second = tail({ checkpoints: [first.checkpoint] });
      await second.until(want.length - 200);
      expect(tally(want, [first.lines, second.lines])).toEqual({ lost: 0, duplicated: 0 });
      expect(second.lines.map((l) => l.text)).toEqual(want.slice(200));
      expect(second.lost.count).toBe(0);
    },
  );

  it('the new file not created yet at start: the rotated file is read, then the new one when it appears', async () => {
    const a = logLines('a', 0, 300);
    const b = logLines('b', 0, 100);
    await writeFile(path, a.text.slice(0, 100 * 100));
    const first = await firstRun(100);
    await appendFile(path, a.text.slice(100 * 100));
    await rename(path, `${path}.1`);
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(200);
    await writeFile(path, b.text);
    await second.until(300);
    expect(tally([...a.texts, ...b.texts], [first.lines, second.lines])).toEqual({ lost: 0, duplicated: 0 });
    expect(second.lines.map((l) => l.text)).toEqual([...a.texts.slice(100), ...b.texts]);
  });

  it('stopped again in the middle of the chain: the next start resumes there', async () => {
    const gen = [0, 1, 2].map((g) => logLines(`gen${g}`, 0, 500));
    await writeFile(path, gen[0]!.text.slice(0, 100 * 100));
    const first = await firstRun(100);
    await appendFile(path, gen[0]!.text.slice(100 * 100));
    await rename(path, `${path}.1`);
    await writeFile(path, gen[1]!.text);
    await rename(`${path}.1`, `${path}.2`);
    await rename(path, `${path}.1`);
    await writeFile(path, gen[2]!.text);
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(600); // all 400 left of gen0, then 200 of gen1
    await second.stop();
    const third = tail({ checkpoints: [second.checkpoint(path)] });
    await third.until(800);
    const want = gen.flatMap((g) => g.texts);
    expect(tally(want, [first.lines, second.lines, third.lines])).toEqual({ lost: 0, duplicated: 0 });
  });
});

describe('symlink switch', () => {
  it('while stopped: the rest of the old target is read, then the new target', async () => {
    const link = join(dir, 'current.log');
    const a = logLines('a', 0, 400);
    const b = logLines('b', 0, 100);
    await writeFile(join(dir, 'a.log'), a.text.slice(0, 100 * 100));
    await symlink(join(dir, 'a.log'), link);
    const first = await firstRun(100, link);
    await appendFile(join(dir, 'a.log'), a.text.slice(100 * 100));
    await writeFile(join(dir, 'b.log'), b.text);
    await symlink(join(dir, 'b.log'), `${link}.tmp`);
    await rename(`${link}.tmp`, link);
    const second = tail({ patterns: [link], checkpoints: [first.checkpoint] });
    await second.until(400);
    expect(tally([...a.texts, ...b.texts], [first.lines, second.lines])).toEqual({ lost: 0, duplicated: 0 });
    expect(second.lines.map((l) => l.text)).toEqual([...a.texts.slice(100), ...b.texts]);
  });

  it('live: the old target is read to its end, then the new one', async () => {
    const link = join(dir, 'current.log');
    const a = logLines('a', 0, 3000);
    const b = logLines('b', 0, 100);
    await writeFile(join(dir, 'a.log'), a.text);
    await symlink(join(dir, 'a.log'), link);
    const run = tail({ patterns: [link] });
    await run.until(100);
    await writeFile(join(dir, 'b.log'), b.text);
    await symlink(join(dir, 'b.log'), `${link}.tmp`);
    await rename(`${link}.tmp`, link);
    await run.until(3100);
    expect(tally([...a.texts, ...b.texts], [run.lines])).toEqual({ lost: 0, duplicated: 0 });
    expect(run.lines.map((l) => l.text)).toEqual([...a.texts, ...b.texts]);
  });
});

describe('rename live', () => {
  it('twice between two looks: the middle file is read too', async () => {
    const gen = [0, 1, 2].map((g) => logLines(`gen${g}`, 0, 300));
    await writeFile(path, gen[0]!.text);
    const run = tail();
    await run.until(300); // gen0 read whole; the tail now waits for a change
    await rename(path, `${path}.1`);
    await writeFile(path, gen[1]!.text);
    await rename(`${path}.1`, `${path}.2`);
    await rename(path, `${path}.1`);
    await writeFile(path, gen[2]!.text);
    await run.until(900);
    const want = gen.flatMap((g) => g.texts);
    expect(tally(want, [run.lines])).toEqual({ lost: 0, duplicated: 0 });
    expect(run.lines.map((l) => l.text)).toEqual(want);
  });
});

describe('first lines shared by several rotations (a fixed header line)', () => {
  it('copytruncate live reads the rest from the newest copy, not an older one with the same first line', async () => {
    const header = '#Fields: date time c-ip cs-method cs-uri-stem sc-status\n';
    const older = logLines('older', 0, 3000);
    await writeFile(`${path}.2`, header + older.text); // an earlier copy: same first line, longer
    const cur = logLines('cur', 0, 1000);
    await writeFile(path, header + cur.text);
    const run = tail();
    await run.until(100);
    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    await appendFile(path, header + 'new 0\n');
    await run.until(1003);
    expect(run.lines.map((l) => l.text)).toEqual([header.trimEnd(), ...cur.texts, header.trimEnd(), 'new 0']);
  });
});

/** The `${dev}:${ino}` of the file at `p` now. */
async function idOf(p: string): Promise<string> {
  return fileIdOf(await stat(p, { bigint: true }));
}

describe('checkpoint while a rotated file is still open (rotations faster than the drain grace)', () => {
  // The old file stays open for an hour after it is read: what a quiet machine does when rotations come
  // faster than drainGraceMs (the 60-rotation fault, rotation 7).
  const longGrace = 3_600_000;

  it('a fully read rotated file does not hold the checkpoint: deleted while stopped, the files after it are still read', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((t) => logLines(t, 0, 300));
    await writeFile(path, a!.text);
    const run = tail({ drainGraceMs: longGrace });
    await run.until(300);
    await rename(path, `${path}.1`);
    await writeFile(path, b!.text);
    await run.until(600); // a is read to its end and still open (in its grace), b is read too
    expect(run.checkpoint(path)).toMatchObject({ fileId: await idOf(path), offset: 300 * 100, line: 300 });
    await run.stop();
    // While stopped: two rotations before the new file is created, and `rotate 2` deletes a.
    await rename(`${path}.1`, `${path}.2`);
    await rename(path, `${path}.1`);
    await writeFile(path, c!.text);
    await rm(`${path}.2`);
    await rename(`${path}.1`, `${path}.2`);
    await rename(path, `${path}.1`);
    const second = tail({ checkpoints: [run.checkpoint(path)] });
    await second.until(300);
    expect(second.lines.map((l) => l.text)).toEqual(c!.texts);
    expect(tally([...a!.texts, ...b!.texts, ...c!.texts], [run.lines, second.lines])).toEqual({
      lost: 0,
      duplicated: 0,
    });
    expect(second.lost.count).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('a new file created empty does not take the checkpoint: its head is not known yet', async () => {
    const [a, b] = ['a', 'b'].map((t) => logLines(t, 0, 300));
    await writeFile(path, a!.text);
    const run = tail({ drainGraceMs: longGrace, batchLines: 100 });
    await run.until(100);
    await rename(path, `${path}.1`);
    await writeFile(path, ''); // created empty, written later (logrotate `create`)
    // Let the 50 ms poll mark a rescan due, so the empty file is followed before a's rest is pulled
    // (if it were not, a holds the checkpoint and the test passes without testing anything).
    await new Promise((r) => setTimeout(r, 300));
    await run.until(300); // a read to its end; the empty file is current
    await run.stop();
    await appendFile(path, b!.text);
    await rename(`${path}.1`, `${path}.2`);
    await rename(path, `${path}.1`); // rotated while stopped, no live file
    const second = tail({ checkpoints: [run.checkpoint(path)] });
    await second.until(300);
    expect(second.lines.map((l) => l.text)).toEqual(b!.texts);
    expect(second.lost.count).toBe(0);
  });

  it('a rotated file with lines not yet taken holds the checkpoint, from its last line taken', async () => {
    const [a, b] = ['a', 'b'].map((t) => logLines(t, 0, 300));
    await writeFile(path, a!.text);
    const run = tail({ drainGraceMs: longGrace, batchLines: 100 });
    await run.until(100);
    const aId = await idOf(path);
    await rename(path, `${path}.1`);
    await writeFile(path, b!.text);
    await run.until(200); // a: 200 of 300 taken, b not yet
    expect(run.checkpoint(path)).toMatchObject({ fileId: aId, offset: 200 * 100, line: 200 });
    await run.until(600);
    expect(run.lines.map((l) => l.text)).toEqual([...a!.texts, ...b!.texts]);
    expect(run.checkpoint(path)).toMatchObject({ fileId: await idOf(path), offset: 300 * 100 });
  });

  it('lines the writer adds late to the rotated file (before reopening) are read, and not twice', async () => {
    const [a, b] = ['a', 'b'].map((t) => logLines(t, 0, 300));
    const late = logLines('a-late', 0, 50);
    await writeFile(path, a!.text);
    const run = tail({ drainGraceMs: longGrace });
    await run.until(300);
    await rename(path, `${path}.1`);
    await writeFile(path, b!.text);
    await run.until(600);
    await appendFile(`${path}.1`, late.text);
    await run.until(650);
    expect(tally([...a!.texts, ...b!.texts, ...late.texts], [run.lines])).toEqual({ lost: 0, duplicated: 0 });
    expect(run.lines.slice(600).map((l) => l.text)).toEqual(late.texts);
  });
});

describe('inode reuse', () => {
  it("a rotated file with the checkpoint's inode but another first line is not the checkpoint's file", async () => {
    const a = logLines('a', 0, 300);
    const other = logLines('other', 0, 400);
    const live = logLines('live', 0, 100);
    await writeFile(path, a.text.slice(0, 200 * 100));
    const first = await firstRun(200);
    // While stopped, a was rotated and deleted; its inode went to a new file now at `.1` (made certain
    // here by giving the checkpoint that file's inode), longer than the checkpoint's offset.
    await rm(path);
    await writeFile(`${path}.1`, other.text);
    await writeFile(path, live.text);
    const reused = { ...first.checkpoint, fileId: await idOf(`${path}.1`) };
    const second = tail({ checkpoints: [reused] });
    await second.until(100);
    // Read from the checkpoint's offset, `.1` would have given lines 200-399 of another file.
    expect(second.lines.map((l) => l.text)).toEqual(live.texts);
    expect(second.lost.count).toBe(1);
    expect(warnings.join('\n')).toMatch(/is a different file than the checkpoint's .* no rotated file holds/);
  });

  it("the live file with the checkpoint's inode but another first line is read from its start", async () => {
    const a = logLines('a', 0, 300);
    const b = logLines('b', 0, 400);
    await writeFile(path, a.text);
    const first = await firstRun(300);
    await rm(path);
    await writeFile(path, b.text);
    const reused = { ...first.checkpoint, fileId: await idOf(path) };
    const second = tail({ checkpoints: [reused] });
    await second.until(400);
    expect(second.lines.map((l) => l.text)).toEqual(b.texts);
    expect(second.lost.count).toBe(1);
    expect(warnings.join('\n')).toMatch(/was rewritten since the checkpoint \(its first line changed\)/);
  });
});

describe('rotations compressed in a format that cannot be read (.xz, .bz2, .zst)', () => {
  // Their content is never read: any bytes stand in for the compressed data.
  it('a newer one than the checkpoint is reported lost once, naming it; the files around it are read', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((t) => logLines(t, 0, 300));
    await writeFile(path, a!.text.slice(0, 100 * 100));
    const first = await firstRun(100);
    await appendFile(path, a!.text.slice(100 * 100)); // 200 unread lines in the checkpointed file
    await rename(path, `${path}.2`);
    await writeFile(`${path}.1.xz`, `xz stand-in for ${b!.texts.length} lines`);
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(200); // the new file is not there yet: the path is searched again at each poll
    await writeFile(path, c!.text);
    await second.until(500);
    expect(second.lines.map((l) => l.text)).toEqual([...a!.texts.slice(100), ...c!.texts]);
    expect(second.lost).toEqual({ count: 1, bytes: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /was rotated to .*access\.log\.1\.xz, compressed with xz, which cannot be read/,
    );
  });

  it('the checkpointed file compressed: the loss names the files that may hold it, the live file is read', async () => {
    const [a, b] = ['a', 'b'].map((t) => logLines(t, 0, 300));
    await writeFile(path, a!.text.slice(0, 100 * 100));
    const first = await firstRun(100);
    await rm(path);
    await writeFile(`${path}.1.bz2`, 'bzip2 stand-in');
    await writeFile(`${path}.2.zst`, 'zstd stand-in');
    await writeFile(path, b!.text);
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(300);
    expect(second.lines.map((l) => l.text)).toEqual(b!.texts);
    expect(second.lost.count).toBe(1);
    expect(warnings.join('\n')).toMatch(
      /no rotated file holds the checkpointed content; .*access\.log\.2\.zst \(zst\), .*access\.log\.1\.bz2 \(bz2\) may hold it/,
    );
  });

  it('while the plain file is still there (compression in progress), the plain file is read and nothing is lost', async () => {
    const [a, b] = ['a', 'b'].map((t) => logLines(t, 0, 300));
    await writeFile(path, a!.text.slice(0, 100 * 100));
    const first = await firstRun(100);
    await appendFile(path, a!.text.slice(100 * 100));
    await writeFile(`${path}.3`, 'an older rotation\n');
    await rename(path, `${path}.2`);
    await writeFile(`${path}.1`, b!.text);
    await writeFile(`${path}.1.xz`, 'half-written xz of .1');
    const second = tail({ checkpoints: [first.checkpoint] });
    await second.until(500);
    expect(second.lines.map((l) => l.text)).toEqual([...a!.texts.slice(100), ...b!.texts]);
    expect(second.lost.count).toBe(0);
    expect(warnings).toEqual([]);
  });
});
