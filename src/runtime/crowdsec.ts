/**
 * CrowdSec in `serve` (docs/crowdsec.md): the LAPI source, whose events enter at the detect seam like the ingest
 * API's (detected where the log events are, stored by the same batch writer with its cursors in the same
 * transaction, offered to the same sinks), and the push sink for buildOutputs. Both are built only when configured.
 */
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { Checkpoint } from '../ingest/index.js';
import { CROWDSEC_SOURCE, CrowdsecPush, CrowdsecSource, LapiClient } from '../ingest/index.crowdsec.js';
import { commitBatch, type CommitDeps, type DetectEvents, type SinkEntry } from '../pipeline/index.js';
import type { Store } from '../store/index.js';

function clientOf(config: Config, version = '1'): LapiClient {
  const c = config.crowdsec;
  return new LapiClient({
    url: c.lapiUrl!,
    timeoutMs: c.timeoutSeconds * 1000,
    userAgent: `rampart/${version}`,
    ...(c.bouncerKey ? { bouncerKey: c.bouncerKey } : {}),
    ...(c.machine ? { machine: c.machine } : {}),
  });
}

/** The push sink's entry for buildOutputs, or null when crowdsec.sink is off. */
export function crowdsecSinkEntry(config: Config, logger: Logger): SinkEntry | null {
  const s = config.crowdsec.sink;
  if (!s.enabled) return null;
  const sink = new CrowdsecPush({
    client: clientOf(config),
    policy: {
      minSeverity: s.minSeverity,
      decision: s.decision === 'none' ? null : { type: s.decision, durationMs: s.decisionDurationSeconds * 1000 },
    },
    log: logger,
  });
  // A LAPI that is away for minutes must not hold ingest: the queue is bounded and drops its oldest batches.
  return { sink, options: { capacity: 1024, overflow: 'drop-oldest' } };
}

export interface RunningCrowdsecSource {
  readiness(): ReadinessCheck;
  stop(): Promise<void>;
}

/** Starts the source when crowdsec.source.decisions or .alerts is on; null otherwise. */
export function startCrowdsecSource(
  config: Config,
  deps: { detect: DetectEvents; commit: CommitDeps; checkpoints: Pick<Store['checkpoints'], 'load'>; logger: Logger },
): RunningCrowdsecSource | null {
  const c = config.crowdsec;
  if (!c.source.decisions && !c.source.alerts) return null;
  const source = new CrowdsecSource({
    client: clientOf(config),
    lapiUrl: c.lapiUrl!,
    decisions: c.source.decisions,
    alerts: c.source.alerts,
    pollIntervalMs: c.source.pollIntervalSeconds * 1000,
    alertsLookbackMs: c.source.alertsLookbackHours * 3_600_000,
    alertsLimit: c.source.alertsLimit,
    loadCursors: () => deps.checkpoints.load(),
    async submit(events, checkpoints: Checkpoint[]) {
      const batch = { sourceId: CROWDSEC_SOURCE, events: events.map((e) => e.event), checkpoints };
      const prepared =
        events.length === 0
          ? { sourceId: CROWDSEC_SOURCE, write: { events: [], threats: [], checkpoints } }
          : await deps.detect(batch, events.map((e) => e.verdict));
      await commitBatch(prepared, deps.commit);
    },
    log: deps.logger,
  });
  source.start();
  deps.logger.info({ decisions: c.source.decisions, alerts: c.source.alerts, intervalS: c.source.pollIntervalSeconds }, 'crowdsec source running');
  return { readiness: () => source.readiness(), stop: () => source.stop() };
}
