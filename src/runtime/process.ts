/**
 * The hot path of a role that ingests: every source runs parse -> detect -> store on its own loop,
 * the sinks are offered each stored batch. A store failure is retried (the source is not pulled
 * meanwhile; the outage observer logs it); a source that ends or fails is logged and leaves the
 * running set, which readiness reports.
 */
import type { Logger } from 'pino';
import type { Source } from '../ingest/index.js';
import {
  BadLineSampler,
  runSource,
  type Annotator,
  type PipelineMetrics,
  type Sink,
  type StoreRetryObserver,
  type ThreatSinks,
} from '../pipeline/index.js';
import type { Stages } from './stages.js';

export interface Processing {
  /** Ids of the sources whose loop is still running. */
  readonly running: ReadonlySet<string>;
  /** One per source; settles when the source has stopped and its last batch is stored (or dropped). */
  readonly tasks: Promise<unknown>[];
}

export interface ProcessingDeps {
  stages: Stages;
  store: Sink;
  metrics: PipelineMetrics;
  annotate: Annotator | undefined;
  sinks: ThreatSinks;
  /** Hears of failed and recovered store writes (the StoreOutage behind /ready). */
  outage: StoreRetryObserver;
  logger: Logger;
  signal: AbortSignal;
}

export function startProcessing(sources: readonly Source[], deps: ProcessingDeps): Processing {
  const { stages, logger } = deps;
  const sampler = new BadLineSampler(logger);
  const running = new Set<string>();
  const tasks: Promise<unknown>[] = [];
  for (const source of sources) {
    running.add(source.id);
    tasks.push(
      runSource(
        source,
        {
          format: stages.ingest.format,
          normalise: stages.ingest.normalise,
          evaluator: stages.detection.engine,
          sink: deps.store,
          metrics: deps.metrics,
          sampler,
          ...(deps.annotate ? { annotate: deps.annotate } : {}),
          sinks: deps.sinks,
        },
        { signal: deps.signal, outage: deps.outage },
      )
        .catch((err: unknown) => logger.error({ err, source: source.id }, 'source stopped'))
        .finally(() => running.delete(source.id)),
    );
  }
  return { running, tasks };
}
