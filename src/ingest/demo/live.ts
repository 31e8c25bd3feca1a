/**
 * The demo a newcomer sees on `npm start` with no log configured: simulated traffic appended to a file
 * in real time, so the pipeline tailing it finds attacks within seconds.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, makeDirectory } from '../../core/index.js';
import { TrafficSimulator, type SimulationOptions } from './simulator.js';

export interface LiveDemoOptions extends Pick<SimulationOptions, 'seed' | 'mix' | 'utcOffsetMinutes' | 'format'> {
  /** File to append to, e.g. ./data/demo/access.log; its folder is created. */
  out: string;
  /** Average lines per second; default 20. Floods briefly add their own rate on top. */
  ratePerSecond?: number;
  /** Stops the demo; the returned `done` settles after the last write. */
  signal: AbortSignal;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /** Seconds of traffic written at once on start (timestamps just before now), so detections show at once; default 20. */
  burstSeconds?: number;
  /** Rotate (rename to `<out>.1`, replacing it) before the file would exceed this; default 50 MB. */
  maxBytes?: number;
  /** How often lines are appended; default 250 ms. */
  tickMs?: number;
  /** Wait before the first write (the burst), so a tailer started right after this resolves sees it; default 1000 ms. */
  startDelayMs?: number;
}

export interface LiveDemoStats {
  lines: number;
  bytes: number;
  rotations: number;
}

export interface LiveDemo {
  /** Settles when the demo has stopped (after abort) or failed (e.g. the disk is full); await or catch it. */
  readonly done: Promise<LiveDemoStats>;
}

const DEFAULTS = {
  ratePerSecond: 20,
  burstSeconds: 20,
  maxBytes: 50 * 1024 * 1024,
  tickMs: 250,
  startDelayMs: 1000,
};
/** After a longer stall (a suspended laptop) the demo restarts at now instead of writing hours of backlog. */
const MIN_MAX_LAG_MS = 60_000;

function checkPositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`demo.${name}`, `must be a positive number, got ${value}`);
  return value;
}

/**
 * Resolves once the file exists (created empty if needed, appended to otherwise). The burst is written
 * `startDelayMs` later, then new lines every tick: a tailer started at the end of the file right after
 * this resolves still sees everything.
 */
export async function startLiveDemo(options: LiveDemoOptions): Promise<LiveDemo> {
  const now = options.now ?? Date.now;
  const rate = checkPositive('ratePerSecond', options.ratePerSecond ?? DEFAULTS.ratePerSecond);
  const burstMs = 1000 * (options.burstSeconds ?? DEFAULTS.burstSeconds);
  if (!(burstMs >= 0))
    throw new ConfigError('demo.burstSeconds', `must be >= 0, got ${options.burstSeconds}`);
  const maxBytes = checkPositive('maxBytes', options.maxBytes ?? DEFAULTS.maxBytes);
  const tickMs = checkPositive('tickMs', options.tickMs ?? DEFAULTS.tickMs);
  const startDelayMs = options.startDelayMs ?? DEFAULTS.startDelayMs;
  if (!(startDelayMs >= 0))
    throw new ConfigError('demo.startDelayMs', `must be >= 0, got ${options.startDelayMs}`);
  const maxLagMs = Math.max(MIN_MAX_LAG_MS, burstMs + 10_000);
  let restarts = 0;
  const simulatorFrom = (startTime: number): TrafficSimulator =>
    new TrafficSimulator({
      seed: restarts === 0 ? options.seed : `${options.seed}/${restarts}`,
      mix: options.mix,
      utcOffsetMinutes: options.utcOffsetMinutes,
      linesPerSecond: rate,
      startTime,
      ...(options.format === undefined ? {} : { format: options.format }),
    });
  let simulator = simulatorFrom(now() - burstMs);

  await makeDirectory(dirname(options.out));
  let file: FileHandle = await open(options.out, 'a');
  let size = (await file.stat()).size;
  const stats: LiveDemoStats = { lines: 0, bytes: 0, rotations: 0 };

  async function rotate(): Promise<void> {
    await file.close();
    // Someone may have removed the file meanwhile; then there is nothing to keep.
    await rename(options.out, `${options.out}.1`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    file = await open(options.out, 'a');
    size = 0;
    stats.rotations++;
  }

  // A line is written once its simulated time has come; `pending` holds the first one still in the future.
  let pending = simulator.next();
  async function tick(): Promise<void> {
    const until = now();
    if (until - pending.time > maxLagMs) {
      restarts++;
      simulator = simulatorFrom(until);
      pending = simulator.next();
    }
    const texts: string[] = [];
    while (pending.time <= until) {
      texts.push(pending.text);
      pending = simulator.next();
    }
    if (texts.length === 0) return;
    const chunk = Buffer.from(texts.join('\n') + '\n', 'utf8');
    if (size > 0 && size + chunk.length > maxBytes) await rotate();
    await file.write(chunk);
    size += chunk.length;
    stats.lines += texts.length;
    stats.bytes += chunk.length;
  }

  const done = (async () => {
    try {
      await sleep(startDelayMs, options.signal);
      while (!options.signal.aborted) {
        await tick();
        await sleep(tickMs, options.signal);
      }
      return stats;
    } finally {
      await file.close();
    }
  })();
  return { done };
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
