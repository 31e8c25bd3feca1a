/**
 * An error thrown in a worker thread, as plain data for postMessage and back as the same kind of error on the main
 * thread, so the CLI reports it alike (a RampartError or ConfigError: one line, exit 2; anything else as before).
 */
import { ConfigError, RampartError, type ErrorCode } from '../core/index.js';

export interface WorkerError {
  name: string;
  message: string;
  /** ConfigError's key. */
  key?: string;
  /** RampartError's code. */
  code?: string;
}

export function toWorkerError(err: unknown): WorkerError {
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & { key?: unknown; code?: unknown };
  const out: WorkerError = { name: e.name, message: e.message };
  if (typeof e.key === 'string') out.key = e.key;
  if (typeof e.code === 'string') out.code = e.code;
  return out;
}

export function fromWorkerError(e: WorkerError): Error {
  const prefix = `config ${e.key}: `;
  if (e.key !== undefined && e.message.startsWith(prefix)) return new ConfigError(e.key, e.message.slice(prefix.length));
  if (e.code !== undefined) {
    const err = new RampartError(e.code as ErrorCode, e.message);
    err.name = e.name;
    return err;
  }
  return new Error(e.message);
}
