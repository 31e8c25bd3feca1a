/**
 * Ingest contracts: a Source yields raw lines in batches; a LogFormat turns one line into a LogRecord;
 * normaliseRecord (src/ingest/normalise.ts) turns a record into an HttpEvent.
 *
 * Obligations of a Source:
 * - `batches()` is pulled by the pipeline; the source reads more only when the consumer asks, so a slow
 *   store pushes back all the way to the file reader (bounded memory).
 * - A batch carries the checkpoint that is true once every line in it is stored. The pipeline saves it in
 *   the same transaction as the events; the source never persists checkpoints itself.
 * - `stop()` ends the iteration after the batch in flight; no line is half-read.
 */
import type { EventOrigin } from '../core/index.js';

/** Resume point of one followed file. */
export interface Checkpoint {
  /** The path the user configured or the glob matched (the key checkpoints are stored under). */
  source: string;
  /** `${dev}:${ino}` of the file the offset belongs to. */
  fileId: string;
  /** Byte offset just after the last stored line. */
  offset: number;
  /** Lines consumed from the start of this file (0 when tailing began at the end of an existing file). */
  line: number;
  /** Hash of the file's first line, so a rewritten or copytruncated file is not mistaken for the old one. */
  headHash: string;
}

export interface RawLine {
  /** The line without its trailing newline, decoded as UTF-8 (invalid bytes become U+FFFD). */
  text: string;
  /**
   * Stable key of the line, unique across files and restarts: used to derive the event id. When
   * `keyOffset` is set, the key is `key` followed by the decimal digits of `keyOffset`: file readers
   * carry their per-file prefix here and the byte offset there, so no key string is built per line
   * (eventIdAt hashes the two without concatenating, to the same id).
   */
  key: string;
  keyOffset?: number;
  origin: EventOrigin;
  /** Set when the line exceeded MAX_LINE and was cut; the pipeline counts and rejects it. */
  overlong?: boolean;
}

export interface SourceBatch {
  sourceId: string;
  lines: RawLine[];
  /** Checkpoints to save with this batch (one per file that advanced). */
  checkpoints: Checkpoint[];
  /**
   * Parts of the input the source found it cannot recover since its previous batch (a file truncated
   * before it was read and no copy found): how many times, and the bytes known (0 when unknown).
   * A batch may carry only this, with no lines.
   */
  lost?: { count: number; bytes: number };
}

export interface Source {
  readonly id: string;
  batches(): AsyncIterable<SourceBatch>;
  stop(): Promise<void>;
}

/** What a log format extracts from one line, before client-IP selection and request splitting. */
export interface LogRecord {
  remoteAddr: string;
  /** Epoch ms UTC, or null when the line has no time (the pipeline then uses the read time). */
  time: number | null;
  /** The raw request line (`GET /a?b HTTP/1.1`) when the format logs $request; else the parts below. */
  request: string | null;
  method: string | null;
  uri: string | null;
  protocol: string | null;
  status: number;
  bytes: number;
  referer: string | null;
  userAgent: string | null;
  host: string | null;
  xForwardedFor: string | null;
  requestTime: number | null;
  ja4: string | null;
  ja4h: string | null;
  headers: Record<string, string> | null;
}

export type ParseResult = { ok: true; record: LogRecord } | { ok: false; reason: string };

export interface LogFormat {
  readonly name: string;
  parse(line: string): ParseResult;
}
