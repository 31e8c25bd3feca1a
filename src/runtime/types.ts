/**
 * Runtime contracts. The runtime assembles a process from configuration and a role: which sources run,
 * which pipeline stages, which outputs, which shared state and live bus (mode.ts), whether the API
 * serves. A role is a small file that wires those parts in order and knows how to stop them.
 *
 * Obligations of a role:
 * - `start` resolves once the role is doing its job (for `all`: the API listens) and throws, having
 *   released what it opened, when it cannot.
 * - `stop` drains: sources stop after their batch in flight, every accepted batch is stored, open IP
 *   windows are written, then outputs, enrichment and the store close. It never throws.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { DiskCache } from '../core/index.js';

/**
 * `all`: the whole pipeline and the API in one process (embedded and server modes). Planned with the
 * distributed mode: `agent` (sources + parse, publishes events), `worker` (consumes events partitioned
 * by source IP: detect, store, outputs) and `api` (the read side alone).
 */
export type RoleName = 'all';

export interface RuntimeOptions {
  config: Config;
  /** The config file read, if any (logged at start). */
  configFile: string | null;
  role: RoleName;
  version: string;
  /** The CLI's cache directory: validated rule packs and parsed ASN tables, kept between starts. */
  cache?: DiskCache;
  /** Where `serve` reads, parses and detects: a worker thread (default) or this one; default from RAMPART_INGEST_THREAD. */
  ingestThread?: 'worker' | 'main';
  /** Default: pino at config.log.level on stdout. */
  logger?: Logger;
}

export interface Runtime {
  readonly role: RoleName;
  readonly logger: Logger;
  /** The port the API listens on, when the role serves it. */
  readonly port: number | null;
  /** An admin key created at this first run, to print once (never logged); absent or null when none. */
  readonly firstRunKey?: Promise<string | null>;
  /** Drains and closes everything; `reason` (e.g. the signal) is logged. Resolves when stopped. */
  stop(reason: string): Promise<void>;
}

export interface Role {
  readonly name: RoleName;
  /** One line for logs and --help. */
  readonly description: string;
  start(options: RuntimeOptions & { logger: Logger }): Promise<Runtime>;
}
