/**
 * Splits a byte stream into lines, tracking byte offsets. Shared by the file reader (batch analysis) and
 * the file tailer. Lines are split on 0x0A, so a multi-byte UTF-8 character is never cut in two; each
 * line is decoded on its own (invalid bytes become U+FFFD), with a trailing \r stripped.
 *
 * Log content is hostile: a line longer than `maxLine` bytes is cut at `maxLine` (backed off to a
 * character boundary), flagged overlong, and the rest of it is skipped up to the next newline. The
 * splitter never holds more than `maxLine + 4` bytes of an incomplete line.
 */
import { isAscii } from 'node:buffer';
import { MAX_LINE } from '../../core/index.js';

const NL = 0x0a;
const CR = 0x0d;

/**
 * Receives one line: its text, the byte offset of its first byte, the offset just after its newline,
 * and whether it was cut. A plain callback (not an object per line) keeps the hot loop allocation-free.
 */
export type LineSink = (text: string, start: number, end: number, overlong: boolean) => void;

export class LineSplitter {
  /** Bytes of the incomplete trailing line, capped at maxLine + 4. */
  private carry: Buffer[] = [];
  private carryStored = 0;
  /** Full length of the incomplete line, including bytes skipped past the cap. */
  private carryTotal = 0;
  private carryLastByte = -1;
  private pos: number;

  constructor(
    offset = 0,
    private readonly maxLine = MAX_LINE,
  ) {
    this.pos = offset;
  }

  /** Offset just after the last complete line (where the incomplete line, if any, starts). */
  get lineStart(): number {
    return this.pos - this.carryTotal;
  }

  /** Offset just after the last byte pushed: where the next read continues. */
  get position(): number {
    return this.pos;
  }

  /** Bytes of an incomplete line waiting for its newline. */
  get pending(): number {
    return this.carryTotal;
  }

  /** Forgets any incomplete line and continues at `offset` (after truncation or a seek). */
  reset(offset: number): void {
    this.carry = [];
    this.carryStored = 0;
    this.carryTotal = 0;
    this.carryLastByte = -1;
    this.pos = offset;
  }

  /** Emits every line completed by `chunk`; keeps the trailing incomplete line for the next push. */
  push(chunk: Buffer, emit: LineSink): void {
    const base = this.pos;
    this.pos += chunk.length;
    let from = 0;
    if (this.carryTotal > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.keep(chunk, 0);
        return;
      }
      this.completeCarry(chunk, nl, base, emit);
      from = nl + 1;
    }
    const ascii = isAscii(chunk);
    const max = this.maxLine;
    let nl: number;
    while ((nl = chunk.indexOf(NL, from)) !== -1) {
      const end = nl > from && chunk[nl - 1] === CR ? nl - 1 : nl;
      if (end - from <= max) {
        emit(
          ascii ? chunk.toString('latin1', from, end) : chunk.toString('utf8', from, end),
          base + from,
          base + nl + 1,
          false,
        );
      } else {
        emit(cutOverlong(chunk, from, max), base + from, base + nl + 1, true);
      }
      from = nl + 1;
    }
    if (from < chunk.length) this.keep(chunk, from);
  }

  /** At the end of a finite input: emits the last line even though it has no newline. */
  finish(emit: LineSink): void {
    if (this.carryTotal > 0) this.completeCarry(Buffer.alloc(0), 0, this.pos, emit);
  }

  private keep(chunk: Buffer, from: number): void {
    const room = this.maxLine + 4 - this.carryStored;
    if (room > 0) {
      // Copy: the caller may reuse its read buffer.
      const part = Buffer.from(chunk.subarray(from, from + Math.min(room, chunk.length - from)));
      this.carry.push(part);
      this.carryStored += part.length;
    }
    this.carryTotal += chunk.length - from;
    this.carryLastByte = chunk[chunk.length - 1] ?? -1;
  }

  /** The carried line ends at chunk[nl] (a newline, or the end of input when nl === chunk.length). */
  private completeCarry(chunk: Buffer, nl: number, base: number, emit: LineSink): void {
    const start = base - this.carryTotal;
    const total = this.carryTotal + nl;
    const last = nl > 0 ? chunk[nl - 1] : this.carryLastByte;
    const contentLen = last === CR ? total - 1 : total;
    const room = Math.max(0, this.maxLine + 4 - this.carryStored);
    const bytes = Buffer.concat([...this.carry, chunk.subarray(0, Math.min(nl, room))]);
    const end = chunk.length > nl ? base + nl + 1 : base + nl;
    if (contentLen <= this.maxLine) {
      emit(bytes.toString('utf8', 0, contentLen), start, end, false);
    } else {
      emit(cutOverlong(bytes, 0, this.maxLine), start, end, true);
    }
    this.carry = [];
    this.carryStored = 0;
    this.carryTotal = 0;
    this.carryLastByte = -1;
  }
}

/** First `max` bytes of the line at `from`, backed off so the cut does not split a UTF-8 character. */
function cutOverlong(buf: Buffer, from: number, max: number): string {
  let end = from + max;
  // A continuation byte (10xxxxxx) right after the cut means the cut is inside a character.
  for (let i = 0; i < 3 && end > from && ((buf[end] ?? 0) & 0xc0) === 0x80; i++) end--;
  return buf.toString('utf8', from, end);
}
