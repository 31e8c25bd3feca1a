/**
 * Decisions in a writing role: the sink that applies the policy to threats as they are stored, and the prune
 * that removes decisions expired longer ago than `decisions.keepExpired`. The exemptions are built here from
 * config: the detection allowlist (`detect.allowlist`) and the good-bot tokens detection uses.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { compilePolicy, DecisionMaker, parseDuration } from '../decide/index.js';
import { Allowlist, configAllowSpecs, GoodBotMatcher, KNOWN_BOT_TOKENS } from '../detect/index.js';
import type { ThreatSink } from '../pipeline/index.js';
import type { Store } from '../store/index.js';

export function decisionMakerFor(config: Config, store: Pick<Store, 'decisions'>, logger: Logger, clock: () => number = Date.now): DecisionMaker {
  const policy = compilePolicy(config.decisions, {
    allowlist: new Allowlist(configAllowSpecs(config.detect.allowlist)),
    goodBots: new GoodBotMatcher(config.detect.behaviour.goodBots.tokens ?? KNOWN_BOT_TOKENS),
    requireVerifiedBots: config.detect.behaviour.goodBots.requireVerified,
  });
  return new DecisionMaker(policy, store.decisions, clock, (d) =>
    logger.info({ id: d.id, type: d.type, scope: d.scope, value: d.value, until: new Date(d.until).toISOString(), rule: d.ruleId, scenario: d.scenario, simulated: d.simulated }, d.simulated ? 'decision simulated' : 'decision'),
  );
}

export function decisionSink(maker: DecisionMaker): ThreatSink {
  return {
    name: 'decisions',
    async write(batch) {
      await maker.decide(batch.threats);
    },
  };
}

/** Removes decisions expired longer ago than keepExpired, every pruneIntervalSeconds. */
export function startDecisionPrune(config: Config, store: Pick<Store, 'decisions'>, logger: Logger, clock: () => number = Date.now): { stop(): void } {
  const keepMs = parseDuration(config.decisions.keepExpired);
  const timer = setInterval(() => {
    store.decisions.prune(clock(), keepMs).then(
      (n) => n > 0 && logger.info({ pruned: n }, 'expired decisions pruned'),
      (err: unknown) => logger.warn(`decisions: prune failed: ${(err as Error).message}`),
    );
  }, config.decisions.pruneIntervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
