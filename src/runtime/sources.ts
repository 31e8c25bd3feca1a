/**
 * Which sources run: one file tail per configured log pattern, or, with no log configured and the demo
 * on, the traffic simulator writing a log that is tailed like any other. (Later: the ingest API and
 * the CrowdSec stream, which hand events to the detect stage directly.)
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { makeDirectory } from '../core/index.js';
import { FileTailSource, startLiveDemo, type Source } from '../ingest/index.js';
import { deferredSource, type StoreConnection } from '../pipeline/index.js';

export interface StartedSources {
  sources: Source[];
  /** Background work the sources depend on (the simulator); settles after `signal` aborts. */
  tasks: Promise<unknown>[];
}

/** What to follow: the configured patterns, or the demo's file (its simulator started here, in this thread). */
export interface SourcePlan {
  patterns: string[];
  startAt: Config['ingest']['startAt'];
  /** Background work the sources depend on (the simulator); settles after `signal` aborts. */
  tasks: Promise<unknown>[];
}

export async function planSources(config: Config, logger: Logger, signal: AbortSignal): Promise<SourcePlan> {
  const tasks: Promise<unknown>[] = [];
  let patterns = config.ingest.logs;
  let startAt = config.ingest.startAt;
  if (patterns.length === 0 && config.demo.enabled) {
    const out = resolve(config.demo.out ?? join(config.store.dataDir, 'demo', 'access.log'));
    await makeDirectory(join(out, '..'));
    logger.info({ out, rate: config.demo.ratePerSecond, format: config.demo.format }, 'no log configured: running the traffic simulator (--no-demo turns it off)');
    const demo = await startLiveDemo({ out, seed: config.demo.seed, ratePerSecond: config.demo.ratePerSecond, format: config.demo.format, signal });
    tasks.push(demo.done.catch((err: unknown) => logger.error({ err }, 'demo simulator stopped')));
    patterns = [out];
    startAt = 'start'; // the demo file is ours: read it whole
  } else if (patterns.length === 0) {
    logger.warn('no log configured and the demo is off: only the API runs (set --log or ingest.logs)');
  }
  return { patterns: [...patterns], startAt, tasks };
}

/** File tails open once the store has answered (their checkpoints come from it); `onOpen` names each tail once open. */
export async function startSources(
  config: Config,
  store: StoreConnection,
  logger: Logger,
  signal: AbortSignal,
  onOpen: (sourceId: string) => void = () => undefined,
): Promise<StartedSources> {
  const { patterns, startAt, tasks } = await planSources(config, logger, signal);
  const sources = patterns.map((pattern) =>
    deferredSource(pattern, async () => {
      const up = await store.ready;
      return (
        up &&
        new FileTailSource({
          id: pattern,
          patterns: [pattern],
          checkpoints: up.checkpoints,
          startAt,
          pollIntervalMs: config.ingest.pollIntervalMs,
          batchLines: config.ingest.batchLines,
          rotationGlobs: config.ingest.rotation.glob,
          logger,
          onOpen: () => onOpen(pattern),
        })
      );
    }),
  );
  return { sources, tasks };
}
