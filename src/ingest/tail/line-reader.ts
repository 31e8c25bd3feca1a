import type { Checkpoint, RawLine } from '../types.js';

/**
 * A file whose lines are read for one followed path: the live file (TailedFile), or a rotated one read
 * to its end (a TailedFile on the renamed file or copy, or a CompressedFile on a `.gz` rotation).
 */
export interface LineReader {
  readonly path: string;
  readonly fileId: string;
  /** When the file last gave bytes (or was opened); a drained rotated file is closed after a quiet spell. */
  lastGrowthAt: number;
  /** Every byte read and every complete line handed out. */
  readonly drained: boolean;
  /** Drained, and every byte seen handed out as a line (no partial last line held back). */
  readonly allTaken: boolean;
  /** The first line is complete (or HEAD_BYTES long): the head hash identifies the file for good. */
  readonly headFinal: boolean;
  /** Moves up to `max` complete lines into `out`; returns how many. */
  take(max: number, out: RawLine[]): Promise<number>;
  checkpoint(): Checkpoint;
  close(): Promise<void>;
}
