/**
 * Where `serve` reads, parses and detects: in a worker thread (default: ingest-thread.ts, so parse and detect
 * never hold the loop that answers /health), or in this thread (RAMPART_INGEST_THREAD=main: one thread to
 * debug or profile, and what tests that reach into the engine use). Either way the role sees one shape.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { DiskCache } from '../core/index.js';
import type { AllowEntryStats, NotApplicable } from '../detect/index.js';
import { detectWithVerdicts, flushWindows, type AsyncReloadable, type DetectEvents, type StoreConnection } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { startIngestWorker } from './ingest-thread.js';
import { startProcessing, type ProcessingDeps } from './process.js';
import { loadedRuleIds, notApplicableIds } from './applicability.js';
import type { SiteKnowledgeHolder } from './site-knowledge.js';
import { startSources, planSources } from './sources.js';
import { buildStages } from './stages.js';

export type IngestThreadMode = 'worker' | 'main';

/** RAMPART_INGEST_THREAD=main keeps ingest in this thread; anything else (or unset) is the worker. */
export function ingestThreadMode(env: NodeJS.ProcessEnv = process.env): IngestThreadMode {
  return env.RAMPART_INGEST_THREAD === 'main' ? 'main' : 'worker';
}

/** What processing needs, with the whole store (the worker's side reads checkpoints and site knowledge) instead of its sink. */
export type IngestDeps = Omit<ProcessingDeps, 'stages' | 'store'> & { store: Store; link: StoreConnection };

export interface Ingest {
  readonly running: ReadonlySet<string>;
  readonly sourceCount: number;
  ruleIds(): string[];
  notApplicable(): NotApplicable[];
  allowlist(): AllowEntryStats[];
  /** Rule reload (SIGHUP, changed packs). */
  readonly detection: AsyncReloadable & { userRulePaths: readonly string[] };
  /** What site knowledge persistence reads (and restores, in this thread). */
  readonly site: SiteKnowledgeHolder | null;
  /** Background work the sources depend on (the demo simulator). */
  readonly tasks: Promise<unknown>[];
  /** Detects ready-made events (the ingest API) where the log events are detected, with the same state. */
  readonly detectEvents: DetectEvents;
  /** Sources stopped, every accepted batch stored, open windows and held threats written. Never throws. */
  stop(): Promise<void>;
}

export interface PreparedIngest {
  start(deps: IngestDeps): Promise<Ingest>;
  /** Releases what the stages hold when start-up fails before `start` (the worker, DNS verification). */
  close(): Promise<void>;
}

/** Builds the stages (a bad rule, format or zone throws here, before the store opens); `start` runs them. */
export async function prepareIngest(
  config: Config,
  mode: IngestThreadMode,
  logger: Logger,
  configFile: string | null,
  cache?: DiskCache,
): Promise<PreparedIngest> {
  if (mode === 'worker') {
    const worker = await startIngestWorker({ config, cacheDir: cache?.dir ?? null, logger, configFile });
    return {
      close: () => worker.close(),
      async start(deps) {
        const plan = await planSources(config, logger, deps.signal);
        const thread = worker.run({ ...deps, patterns: plan.patterns, startAt: plan.startAt });
        return {
          running: thread.running,
          sourceCount: plan.patterns.length,
          ruleIds: () => thread.view().ruleIds,
          notApplicable: () => thread.view().notApplicable,
          allowlist: () => thread.allowlist(),
          detection: { userRulePaths: config.detect.rules.paths, reload: () => thread.reload() },
          site: { snapshot: () => thread.siteSnapshot() },
          tasks: plan.tasks,
          detectEvents: (batch, verdicts) => thread.detect(batch, verdicts),
          stop: () => thread.stop(),
        };
      },
    };
  }
  const stages = buildStages(config, configFile, logger, cache);
  // serve keeps the hits site knowledge holds back in its store, with the batch that held them (kill -9 loses none).
  stages.detection.engine.site?.trackHeld();
  return {
    close: async () => {
      await stages.detection.botVerification?.close();
    },
    async start(deps) {
      const opened = new Set<string>();
      const { sources, tasks } = await startSources(config, deps.link, logger, deps.signal, (id) => opened.add(id));
      const processing = startProcessing(sources, { ...deps, stages, store: deps.store.writer });
      const { detection } = stages;
      return {
        // Readiness counts a source once its files are open (a loop waiting for the store has read nothing yet).
        get running() {
          return new Set([...processing.running].filter((id) => opened.has(id)));
        },
        sourceCount: sources.length,
        ruleIds: () => loadedRuleIds(detection.engine.detectors),
        notApplicable: () => notApplicableIds(detection.engine.detectors, config, true),
        allowlist: () => detection.engine.allowlist.stats(),
        detection,
        site: detection.engine.site,
        tasks,
        detectEvents: async (batch, verdicts) =>
          detectWithVerdicts(batch, verdicts, { evaluator: detection.engine, metrics: deps.metrics, ...(deps.annotate ? { annotate: deps.annotate } : {}) }),
        async stop() {
          const { botVerification } = detection;
          if (botVerification) {
            logger.info({ botVerification: botVerification.stats() }, 'stopping good-bot verification');
            await botVerification.close();
          }
          await Promise.all(sources.map((s) => s.stop()));
          await Promise.allSettled(processing.tasks);
          // Open windows would be lost with the process: close them and store them in one last write.
          await flushWindows(deps.store.writer, detection.engine).catch((err: unknown) => logger.warn({ err }, 'storing the open IP windows failed'));
        },
      };
    },
  };
}
