/**
 * The outputs after the store commits, as a list of sinks, each isolated behind its own bounded queue
 * (src/pipeline/sinks.ts) and counted in /api/metrics/pipeline: the live bus (alerting threats, score
 * above 0) and, when the collector runs, the IOC collector (which threat sources to enrich is enrichment
 * policy: iocCandidates), when notify.channels has any, the notifier (src/notify: its own queue per channel,
 * retries, dead letters in the store), the CrowdSec push when configured, and the decision policy (src/decide).
 */
import type { Logger } from 'pino';
import { ThreatAlert, type LiveMessage } from '../api/index.js';
import { InProcessBus, type LiveBus } from '../bus/index.js';
import { RedisBus } from '../bus/index.redis.js';
import type { Config } from '../config/index.js';
import { iocCandidates } from '../enrich/index.js';
import { ThreatSinks, type PipelineMetrics, type SinkEntry, type ThreatSink } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { crowdsecSinkEntry } from './crowdsec.js';
import { decisionMakerFor, decisionSink } from './decisions.js';
import type { RunningCollector } from './enrichment.js';
import type { Deployment } from './mode.js';
import { notifierSink } from './notify.js';

export interface Outputs {
  bus: LiveBus<LiveMessage>;
  sinks: ThreatSinks;
  /** Lets queued deliveries finish (bounded wait), then closes the sinks and the bus. */
  close(): Promise<void>;
}

export function liveBusFor(deployment: Deployment, config: Pick<Config, 'redis' | 'live'>, logger: Logger): LiveBus<LiveMessage> {
  const onHandlerError = (err: unknown) => logger.warn({ err }, 'live subscriber failed');
  switch (deployment.liveBus) {
    case 'in-process':
      return new InProcessBus<LiveMessage>(onHandlerError);
    case 'redis':
      // The process that stores a threat publishes it; every API process's hub subscribes (src/bus/redis.ts).
      return new RedisBus<LiveMessage>({
        url: config.redis.url!,
        channel: config.live.redisChannel,
        onHandlerError,
        log: { warn: (m) => logger.warn(m), info: (m) => logger.info(m) },
      });
  }
}

/**
 * Alerting threats (score above 0) as live alerts, pending: each is built (as GET /api/threats returns it)
 * only when a hub's client wants it or the Redis bus sends it to the other API processes.
 */
export function liveBusSink(bus: LiveBus<LiveMessage>): ThreatSink {
  return {
    name: 'live-bus',
    write(batch) {
      for (const t of batch.threats) if (t.score > 0) bus.publish(new ThreatAlert(t));
    },
  };
}

export function iocCollectorSink(collector: RunningCollector): ThreatSink {
  return {
    name: 'ioc-collector',
    async write(batch) {
      const candidates = iocCandidates(batch.threats);
      if (candidates.length > 0) await collector.collector.addFromThreats(candidates);
    },
  };
}

export function buildOutputs(
  config: Config,
  deployment: Deployment,
  collector: RunningCollector,
  metrics: PipelineMetrics,
  logger: Logger,
  store?: Pick<Store, 'deadLetters' | 'decisions'>,
): Outputs {
  const bus = liveBusFor(deployment, config, logger);
  const entries: SinkEntry[] = [{ sink: liveBusSink(bus) }];
  if (config.enrich.collector.enabled) entries.push({ sink: iocCollectorSink(collector) });
  const crowdsec = crowdsecSinkEntry(config, logger);
  if (crowdsec) entries.push(crowdsec);
  const notify = notifierSink(config, store?.deadLetters ?? null, metrics, logger);
  if (notify) entries.push({ sink: notify.sink });
  if (store && config.decisions.enabled) entries.push({ sink: decisionSink(decisionMakerFor(config, store, logger)) });
  const sinks = new ThreatSinks(entries, metrics, (sink, err) =>
    logger.warn({ sink }, sink === 'ioc-collector' ? `collector: adding threat sources failed: ${(err as Error).message}` : `sink ${sink} failed: ${(err as Error).message}`),
  );
  return {
    bus,
    sinks,
    async close() {
      await sinks.close();
      await notify?.close();
      await bus.close();
    },
  };
}
