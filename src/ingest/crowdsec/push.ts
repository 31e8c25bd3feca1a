/**
 * CrowdSec as a sink: Rampart's threats pushed to a LAPI as a machine (`POST /v1/alerts`), with a decision when
 * configured, so CrowdSec's own bouncers enforce them. One alert per source IP per committed batch (its threats as
 * the alert's events, at most MAX_EVENTS_PER_ALERT), in requests of at most MAX_ALERTS_PER_POST alerts.
 *
 * Used as a ThreatSink (src/runtime/outputs.ts): it sits behind its own bounded delivery queue, so a slow or absent
 * LAPI costs only its own batches. A failed push is retried with backoff (1 s doubling to 30 s, `maxAttempts` in
 * all), then given up (counted as the sink's failure). Threats that came from CrowdSec are never pushed back, and
 * neither are simulated or low ones (below `minSeverity`).
 */
import { backoffDelay, isSimulatedOnly, SEVERITIES, type Severity, type ThreatEvent } from '../../core/index.js';
import { reasonOf, type LapiClient } from './lapi-client.js';
import { formatGoDuration } from './lapi-time.js';

export const MAX_ALERTS_PER_POST = 50;
export const MAX_EVENTS_PER_ALERT = 20;
/** Scenarios of pushed alerts start with this; the source skips them when it reads them back. */
export const RAMPART_SCENARIO_PREFIX = 'rampart/';

export interface PushPolicy {
  minSeverity: Severity;
  /** The decision attached to each alert, or null to let CrowdSec's profiles decide (profiles.yaml). */
  decision: { type: string; durationMs: number } | null;
}

export interface PushLog {
  warn(obj: object, msg: string): void;
}

export function pushable(t: ThreatEvent, minSeverity: Severity): boolean {
  return (
    t.score > 0 &&
    !isSimulatedOnly(t) &&
    t.event.origin.kind !== 'crowdsec' &&
    SEVERITIES.indexOf(t.severity) >= SEVERITIES.indexOf(minSeverity)
  );
}

function scenarioOf(t: ThreatEvent): string {
  const top = t.detections.find((d) => !d.simulated) ?? t.detections[0];
  const name = (top?.ruleId ?? t.category).replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 96);
  return `${RAMPART_SCENARIO_PREFIX}${name}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RANK = (s: Severity) => SEVERITIES.indexOf(s);

/** The alerts for one batch's threats (already filtered): one per source IP, shaped as CrowdSec's agent sends them. */
export function toLapiAlerts(threats: readonly ThreatEvent[], policy: PushPolicy, now: number): object[] {
  const byIp = new Map<string, ThreatEvent[]>();
  for (const t of threats) {
    const list = byIp.get(t.event.ip);
    if (list) list.push(t);
    else byIp.set(t.event.ip, [t]);
  }
  const out: object[] = [];
  for (const [ip, all] of byIp) {
    const list = all.slice(0, MAX_EVENTS_PER_ALERT);
    const worst = list.reduce((a, b) => (RANK(b.severity) > RANK(a.severity) || (b.severity === a.severity && b.score > a.score) ? b : a));
    const scenario = scenarioOf(worst);
    const start = Math.min(...list.map((t) => t.event.time));
    // CrowdSec counts a decision's duration from the alert's stop_at: the push time, so a threat found in an old log
    // (a replay, a late file) still gets its full ban.
    const stop = Math.max(now, ...list.map((t) => t.event.time));
    const scope = 'Ip';
    out.push({
      scenario,
      scenario_hash: '',
      scenario_version: '1',
      message: `Ip ${ip} performed '${scenario}' (${all.length} events): Rampart ${worst.category}, severity ${worst.severity}, score ${worst.score.toFixed(2)}`,
      events_count: all.length,
      start_at: iso(start),
      stop_at: iso(stop),
      capacity: 0,
      leakspeed: '0',
      simulated: false,
      // With no decision of ours, CrowdSec's profiles decide (they run on a pushed alert without decisions whose
      // remediation is true: the default profile bans an Ip alert for 4 h).
      remediation: true,
      events: list.map((t) => ({
        timestamp: iso(t.event.time),
        meta: [
          { key: 'source_ip', value: ip },
          { key: 'http_verb', value: t.event.method.slice(0, 16) },
          { key: 'http_path', value: (t.event.query ? `${t.event.path}?${t.event.query}` : t.event.path).slice(0, 2000) },
          { key: 'http_status', value: String(t.event.status) },
          ...(t.event.userAgent ? [{ key: 'http_user_agent', value: t.event.userAgent.slice(0, 1000) }] : []),
          ...(t.event.host ? [{ key: 'target_fqdn', value: t.event.host.slice(0, 253) }] : []),
          { key: 'rampart_event_id', value: t.event.id },
          { key: 'rampart_category', value: t.category },
          { key: 'rampart_severity', value: t.severity },
          { key: 'rampart_rules', value: t.detections.map((d) => d.ruleId).join(',').slice(0, 1000) },
        ],
      })),
      source: { scope, value: ip, ip },
      decisions:
        policy.decision === null
          ? []
          : [
              {
                origin: 'crowdsec',
                type: policy.decision.type,
                scope,
                value: ip,
                duration: formatGoDuration(policy.decision.durationMs),
                scenario,
                simulated: false,
              },
            ],
    });
  }
  return out;
}

export interface CrowdsecPushOptions {
  client: Pick<LapiClient, 'pushAlerts'>;
  policy: PushPolicy;
  log: PushLog;
  /** Tries per request, the first included. Default 5. */
  maxAttempts?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
  now?: () => number;
}

export class CrowdsecPush {
  readonly name = 'crowdsec';
  pushed = 0;
  private closed = false;
  private readonly timers = new Set<() => void>();

  constructor(private readonly opts: CrowdsecPushOptions) {}

  async write(batch: { threats: readonly ThreatEvent[] }): Promise<void> {
    const threats = batch.threats.filter((t) => pushable(t, this.opts.policy.minSeverity));
    if (threats.length === 0) return;
    const alerts = toLapiAlerts(threats, this.opts.policy, (this.opts.now ?? Date.now)());
    for (let i = 0; i < alerts.length; i += MAX_ALERTS_PER_POST) {
      const chunk = alerts.slice(i, i + MAX_ALERTS_PER_POST);
      await this.pushWithRetry(chunk);
      this.pushed += chunk.length;
    }
  }

  /** Ends waits between retries (shutdown): the push in hand gives up. */
  close(): void {
    this.closed = true;
    for (const wake of this.timers) wake();
  }

  private async pushWithRetry(chunk: object[]): Promise<void> {
    const attempts = this.opts.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.client.pushAlerts(chunk);
        return;
      } catch (err) {
        if (attempt >= attempts || this.closed) throw err;
        const delay = backoffDelay(attempt - 1, this.opts.firstRetryMs ?? 1000, this.opts.maxRetryMs ?? 30_000);
        this.opts.log.warn({ attempt, retryInMs: delay }, `crowdsec push: ${reasonOf(err)}; retrying in ${delay / 1000} s`);
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.timers.add(wake);
    });
  }
}
