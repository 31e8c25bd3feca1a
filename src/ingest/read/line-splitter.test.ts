import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

interface Got {
  text: string;
  start: number;
  end: number;
  overlong: boolean;
}

/** Feeds `input` in pieces of `step` bytes (every split point gets exercised) and collects the lines. */
function split(input: Buffer, step: number, maxLine = 16, finish = true): Got[] {
  const got: Got[] = [];
  const s = new LineSplitter(0, maxLine);
  const emit = (text: string, start: number, end: number, overlong: boolean) =>
    got.push({ text, start, end, overlong });
  for (let i = 0; i < input.length; i += step) s.push(input.subarray(i, i + step), emit);
  if (finish) s.finish(emit);
  return got;
}

const euro = '€'; // 3 bytes in UTF-8

const cases: { name: string; input: Buffer; want: Partial<Got>[] }[] = [
  {
    name: 'plain lines with offsets',
    input: Buffer.from('ab\ncde\n'),
    want: [
      { text: 'ab', start: 0, end: 3 },
      { text: 'cde', start: 3, end: 7 },
    ],
  },
  {
    name: 'CRLF stripped',
    input: Buffer.from('a\r\nb\r\n'),
    want: [
      { text: 'a', end: 3 },
      { text: 'b', start: 3 },
    ],
  },
  {
    name: 'empty lines kept',
    input: Buffer.from('\n\nx\n'),
    want: [{ text: '' }, { text: '' }, { text: 'x' }],
  },
  {
    name: 'invalid UTF-8 becomes U+FFFD, valid multi-byte kept',
    input: Buffer.concat([Buffer.from('a'), Buffer.from([0xff, 0xc3]), Buffer.from(`b${euro}\n`)]),
    want: [{ text: 'a\ufffd\ufffdb€', end: 8 }],
  },
  {
    name: 'final line without newline is emitted by finish()',
    input: Buffer.from('a\nlast'),
    want: [{ text: 'a' }, { text: 'last', start: 2, end: 6 }],
  },
  {
    name: 'overlong line cut at maxLine and flagged; next line intact',
    input: Buffer.from('x'.repeat(40) + '\nok\n'),
    want: [
      { text: 'x'.repeat(16), overlong: true, start: 0, end: 41 },
      { text: 'ok', overlong: false, start: 41 },
    ],
  },
  {
    name: 'overlong cut backs off to a character boundary',
    input: Buffer.from('abcdefghijklmno' + euro + 'zzzz\n'), // € straddles byte 16
    want: [{ text: 'abcdefghijklmno', overlong: true }],
  },
  {
    name: 'exactly maxLine is not overlong, even with CR',
    input: Buffer.from('y'.repeat(16) + '\r\n'),
    want: [{ text: 'y'.repeat(16), overlong: false }],
  },
];

describe('LineSplitter', () => {
  for (const c of cases) {
    for (const step of [1, 2, 3, 5, 1000]) {
      it(`${c.name} (pieces of ${step} bytes)`, () => {
        const got = split(c.input, step);
        expect(got).toHaveLength(c.want.length);
        c.want.forEach((w, i) => expect(got[i]).toMatchObject(w));
      });
    }
  }

  it('holds at most maxLine + 4 bytes of an endless line', () => {
    const s = new LineSplitter(0, 16);
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) s.push(Buffer.alloc(1024, 0x61), (t) => lines.push(t));
    expect(lines).toEqual([]);
    expect(s.pending).toBe(1024 * 1000);
    expect((s as unknown as { carryStored: number }).carryStored).toBeLessThanOrEqual(20);
    s.push(Buffer.from('\n'), (t) => lines.push(t));
    expect(lines).toEqual(['a'.repeat(16)]);
    expect(s.lineStart).toBe(1024 * 1000 + 1);
  });

  it('keeps an incomplete line without finish(), and reports where it starts', () => {
    const s = new LineSplitter(100, 16);
    const lines: string[] = [];
    s.push(Buffer.from('a\nbc'), (t) => lines.push(t));
    expect(lines).toEqual(['a']);
    expect(s.lineStart).toBe(102);
    expect(s.position).toBe(104);
  });
});
