/**
 * Messages between the main thread's PGlite client (pglite-worker-client.ts) and the worker that runs PGlite
 * (pglite-worker.ts). Plain data only: everything crosses by structured clone. No PGlite import here, so the
 * main thread never loads the WebAssembly module.
 */

/** What the worker is started with (its workerData). */
export interface WorkerOpen {
  /** A data folder, or `memory://`. */
  dataDir: string;
}

export type Request =
  | { id: number; op: 'query'; text: string; params: unknown[] | undefined }
  | { id: number; op: 'exec'; script: string }
  | { id: number; op: 'memory' }
  | { id: number; op: 'close' };

/** A request before the client numbers it. */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** The parts of a PostgreSQL error the store reads (code for unique violations, the rest for messages). */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** Sizes of the worker's memory, bytes: PGlite's WebAssembly heap (shared buffers live there) and the worker's JS heap. */
export interface WorkerMemory {
  wasmHeap: number;
  jsHeapUsed: number;
}

export type Reply =
  | { kind: 'ready' }
  | { kind: 'open-failed'; error: WireError }
  | { kind: 'result'; id: number; rows: unknown[] }
  | { kind: 'memory'; id: number; memory: WorkerMemory }
  | { kind: 'failed'; id: number; error: WireError };

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & Partial<Record<'code' | 'detail' | 'hint' | 'position', unknown>>;
  const out: WireError = { name: e.name, message: e.message };
  for (const key of ['code', 'detail', 'hint', 'position'] as const) {
    if (typeof e[key] === 'string') out[key] = e[key];
  }
  return out;
}

/** The worker's error as an Error again, with the same name, message and PostgreSQL fields. */
export function fromWireError(w: WireError): Error {
  const err = new Error(w.message) as Error & Omit<WireError, 'name' | 'message'>;
  err.name = w.name;
  if (w.code !== undefined) err.code = w.code;
  if (w.detail !== undefined) err.detail = w.detail;
  if (w.hint !== undefined) err.hint = w.hint;
  if (w.position !== undefined) err.position = w.position;
  return err;
}
