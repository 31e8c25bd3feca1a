/**
 * The notifier as an output (src/notify), when notify.channels has any: channels built from the config (secrets
 * from the environment read here, a missing one stops start-up), each channel's queue counted in the pipeline
 * metrics as `notify:<channel>`, retries and dead letters logged.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { buildChannels, Notifier, notifyEnabled, type Channel, type DeadLetterSink } from '../notify/index.js';
import type { PipelineMetrics, ThreatSink } from '../pipeline/index.js';

export function notifierSink(
  config: Pick<Config, 'notify'>,
  deadLetters: DeadLetterSink | null,
  metrics: PipelineMetrics,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): { sink: ThreatSink; notifier: Notifier; close(): Promise<void> } | null {
  if (!notifyEnabled(config.notify)) return null;
  const channels = buildChannels(config.notify, env);
  const notifier = new Notifier({
    config: config.notify,
    channels,
    deadLetters,
    events: {
      retrying: (channel, attempt, delayMs, error) => logger.warn({ channel, attempt, delayMs }, `notify: ${error}; trying again in ${Math.round(delayMs / 100) / 10} s`),
      deadLettered: (channel, threatId, attempts, error) => logger.warn({ channel, threatId, attempts }, `notify: gave up after ${attempts} attempt(s), kept as a dead letter: ${error}`),
      lost: (channel, threatId, error) => logger.error({ channel, threatId }, `notify: could not keep a failed notification as a dead letter: ${error}`),
    },
  });
  for (const [name, d] of notifier.deliveries) metrics.addSink(`notify:${name}`, () => d.sinkCounters);
  logger.info({ channels: [...channels.values()].map((c) => `${c.name} (${c.type})`), routes: config.notify.routes.length }, 'notifications on');
  return { sink: notifier, notifier, close: () => notifier.close() };
}

/** The channels, built on first use and kept (the API's dead-letter retry; the config does not change while running). */
export function lazyChannels(config: Pick<Config, 'notify'>, env: NodeJS.ProcessEnv = process.env): () => ReadonlyMap<string, Channel> {
  let channels: ReadonlyMap<string, Channel> | undefined;
  return () => (channels ??= buildChannels(config.notify, env));
}

/** Before anything opens: a secret's environment variable that is not set stops start-up at once, naming the key. */
export function checkNotifySecrets(config: Pick<Config, 'notify'>, env: NodeJS.ProcessEnv = process.env): void {
  // Building a channel does no I/O (the SMTP transport is made on first send).
  if (notifyEnabled(config.notify)) buildChannels(config.notify, env);
}
