/**
 * CrowdSec as a source: polls a LAPI's decision stream (as a bouncer) and its alerts (as a machine) and hands what
 * is new to `submit`, which detects and stores it at the detect seam (src/runtime/crowdsec.ts).
 *
 * Resuming: what was read is remembered as two checkpoints stored in the same transaction as the events
 * (`crowdsec-decisions`, `crowdsec-alerts`: the LAPI's address as file id, the highest decision or alert id as
 * offset, the newest alert's creation time in ms as line), so a restart reads on after the last stored one and,
 * should it read one again, the event ids (derived from the LAPI's ids) store nothing twice.
 *
 * Outages: any failed poll is retried with backoff (1 s doubling to `maxBackoffMs`, 30 s), never ending the loop. While
 * the LAPI does not answer, `readiness()` says so (degraded, not failing: Rampart works without CrowdSec), and the
 * change is logged once each way. The stream is read with `startup=true` until its answer has been stored once, so
 * decisions fetched during a store outage are fetched again rather than lost (the LAPI moves the bouncer's
 * last-pull time on every call).
 */
import { backoffDelay } from '../../core/index.js';
import type { Checkpoint } from '../types.js';
import type { LapiClient } from './lapi-client.js';
import { LapiError, reasonOf } from './lapi-client.js';
import type { LapiAlert } from './lapi-schemas.js';
import { formatGoDuration, parseLapiTime } from './lapi-time.js';
import { alertToEvents, decisionToEvent, type CrowdsecEvent } from './mapping.js';
import { RAMPART_SCENARIO_PREFIX } from './push.js';

export const DECISIONS_CURSOR = 'crowdsec-decisions';
export const ALERTS_CURSOR = 'crowdsec-alerts';

export interface CrowdsecSourceLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface CrowdsecSourceOptions {
  client: Pick<LapiClient, 'decisionStream' | 'alerts'>;
  /** The LAPI's address: part of every event id and the cursors' file id. */
  lapiUrl: string;
  decisions: boolean;
  alerts: boolean;
  pollIntervalMs: number;
  /** On the first run (no cursor), alerts of this long ago are read. */
  alertsLookbackMs: number;
  /** Alerts asked for per poll. */
  alertsLimit: number;
  /** The stored checkpoints (all sources; the two cursors are picked out). */
  loadCursors(): Promise<readonly Checkpoint[]>;
  /** Detects and stores the events with the checkpoints in one transaction; rejects when they were not stored. */
  submit(events: readonly CrowdsecEvent[], checkpoints: Checkpoint[]): Promise<void>;
  log: CrowdsecSourceLog;
  maxBackoffMs?: number;
  now?: () => number;
}

export interface CrowdsecSourceStats {
  decisionsRead: number;
  decisionsDeletedSeen: number;
  alertsRead: number;
  eventsSubmitted: number;
  skippedScopes: number;
  polls: number;
  failedPolls: number;
  outages: number;
}

/** How far a poll's page of alerts may grow, in multiples of alertsLimit, to reach the last one read. */
const MAX_ALERT_PAGES = 8;

export class CrowdsecSource {
  private decisionCursor = 0;
  private alertCursor = { id: 0, createdAt: 0 };
  private cursorsLoaded = false;
  private needStartup = true;
  private lapiUp: boolean | null = null;
  private since: number | null = null;
  private lastError: string | null = null;
  private lastPoll: number | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private warnedFullPage = false;
  readonly stats: CrowdsecSourceStats = {
    decisionsRead: 0,
    decisionsDeletedSeen: 0,
    alertsRead: 0,
    eventsSubmitted: 0,
    skippedScopes: 0,
    polls: 0,
    failedPolls: 0,
    outages: 0,
  };
  private readonly now: () => number;

  constructor(private readonly opts: CrowdsecSourceOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** The `crowdsec` line of /ready: never failing (Rampart works without CrowdSec), degraded while the LAPI is away. */
  readiness(): { ok: boolean; detail: string } {
    if (this.lapiUp === null) return { ok: true, detail: `connecting to the CrowdSec LAPI${this.lastError ? ` (${this.lastError})` : ''}` };
    if (!this.lapiUp) {
      return {
        ok: true,
        detail: `degraded: CrowdSec LAPI unreachable since ${new Date(this.since!).toISOString()} (${this.lastError}); retrying with backoff`,
      };
    }
    // It answers but refuses (a revoked key, a wrong password) or sends what we cannot read: say so.
    if (this.lastError !== null) return { ok: true, detail: `degraded: CrowdSec LAPI answers but the poll failed (${this.lastError}); retrying with backoff` };
    const ago = this.lastPoll === null ? '' : `, last poll ${Math.round((this.now() - this.lastPoll) / 1000)} s ago`;
    return { ok: true, detail: `CrowdSec LAPI reachable${ago}; ${this.stats.eventsSubmitted} events read` };
  }

  /** One poll of each enabled part (exported for tests; the loop calls it). */
  async pollOnce(): Promise<void> {
    if (!this.cursorsLoaded) await this.loadCursors();
    if (this.opts.decisions) await this.pollDecisions();
    if (this.opts.alerts) await this.pollAlerts();
  }

  private async run(): Promise<void> {
    let failures = 0;
    const max = this.opts.maxBackoffMs ?? 30_000;
    while (!this.stopped) {
      let delay = this.opts.pollIntervalMs;
      try {
        this.stats.polls++;
        await this.pollOnce();
        this.lastPoll = this.now();
        this.markLapi(null);
        failures = 0;
      } catch (err) {
        this.stats.failedPolls++;
        delay = backoffDelay(failures++, 1000, max);
        if (err instanceof LapiError) this.markLapi(err);
        else this.opts.log.warn({ err: reasonOf(err) }, `crowdsec: storing what the LAPI sent failed (${reasonOf(err)}); retrying in ${delay / 1000} s`);
      }
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private markLapi(err: LapiError | null): void {
    const up = err === null || err.status !== null;
    // An HTTP answer (even 403 or 500) means the LAPI is there; the error is kept for /ready all the same.
    this.lastError = err === null ? null : err.message.replace(/^crowdsec /, '');
    if (err !== null && err.status !== null) this.opts.log.warn({ status: err.status }, `crowdsec: ${this.lastError}`);
    if (up === this.lapiUp) return;
    const was = this.lapiUp;
    const downFor = this.since === null ? 0 : this.now() - this.since;
    this.lapiUp = up;
    this.since = this.now();
    if (!up) {
      this.stats.outages++;
      this.opts.log.warn({ reason: this.lastError }, `crowdsec: LAPI unreachable (${this.lastError}); retrying with backoff`);
    } else if (was === false) {
      this.opts.log.info({ downMs: downFor }, `crowdsec: LAPI reachable again after ${Math.round(downFor / 100) / 10} s`);
    }
  }

  private async loadCursors(): Promise<void> {
    const stored = await this.opts.loadCursors();
    for (const c of stored) {
      if (c.fileId !== this.opts.lapiUrl) continue;
      if (c.source === DECISIONS_CURSOR) this.decisionCursor = c.offset;
      if (c.source === ALERTS_CURSOR) this.alertCursor = { id: c.offset, createdAt: c.line };
    }
    this.cursorsLoaded = true;
  }

  private async pollDecisions(): Promise<void> {
    const startup = this.needStartup;
    const stream = await this.opts.client.decisionStream(startup);
    this.stats.decisionsDeletedSeen += stream.deleted?.length ?? 0;
    const fresh = (stream.new ?? []).filter((d) => d.id > this.decisionCursor).sort((a, b) => a.id - b.id);
    if (fresh.length > 0) {
      const receivedAt = this.now();
      const events: CrowdsecEvent[] = [];
      for (const d of fresh) {
        // What Rampart pushed (the sink) is Rampart's own threat already.
        if (d.scenario.startsWith(RAMPART_SCENARIO_PREFIX)) continue;
        const e = decisionToEvent(d, this.opts.lapiUrl, receivedAt);
        if (e === null) this.stats.skippedScopes++;
        else events.push(e);
      }
      const maxId = fresh[fresh.length - 1]!.id;
      await this.opts.submit(events, [{ source: DECISIONS_CURSOR, fileId: this.opts.lapiUrl, offset: maxId, line: 0, headHash: '' }]);
      this.decisionCursor = maxId;
      this.stats.decisionsRead += fresh.length;
      this.stats.eventsSubmitted += events.length;
    }
    if (startup) this.needStartup = false;
  }

  /**
   * The LAPI's `since` filter is on an alert's start (its log time: years back for a replayed log), not its
   * creation, and there is no paging by id: so after the first run alerts are asked for newest first without a
   * time filter, and the page grows (doubling, up to MAX_ALERT_PAGES times alertsLimit) until it reaches one
   * already read. The first run reads the last `alertsLookbackMs` only.
   */
  private async pollAlerts(): Promise<void> {
    const now = this.now();
    const first = this.alertCursor.id === 0;
    let limit = this.opts.alertsLimit;
    let page: LapiAlert[];
    for (;;) {
      page = await this.opts.client.alerts(first ? { since: formatGoDuration(this.opts.alertsLookbackMs), limit } : { limit });
      const reachedOld = page.some((a) => a.id <= this.alertCursor.id);
      if (first || reachedOld || page.length < limit || limit >= this.opts.alertsLimit * MAX_ALERT_PAGES) break;
      limit *= 2;
    }
    const fresh = page.filter((a) => a.id > this.alertCursor.id).sort((a, b) => a.id - b.id);
    if (fresh.length === 0) return;
    if (page.length >= limit && fresh.length === page.length && !this.warnedFullPage) {
      this.warnedFullPage = true;
      this.opts.log.warn(
        { limit },
        `crowdsec: ${page.length} new alerts in one poll, the most read at once; older new ones are skipped (raise crowdsec.source.alertsLimit)`,
      );
    }
    const events: CrowdsecEvent[] = [];
    for (const a of fresh) {
      if (this.coveredByStream(a) || a.scenario.startsWith(RAMPART_SCENARIO_PREFIX) || fromBlocklist(a)) continue;
      const mapped = alertToEvents(a, this.opts.lapiUrl, now);
      if (mapped.length === 0) this.stats.skippedScopes++;
      events.push(...mapped);
    }
    const last = fresh[fresh.length - 1]!;
    const createdAt = Math.max(this.alertCursor.createdAt, ...fresh.map((a) => parseLapiTime(a.created_at) ?? 0));
    await this.opts.submit(events, [{ source: ALERTS_CURSOR, fileId: this.opts.lapiUrl, offset: last.id, line: createdAt, headHash: '' }]);
    this.alertCursor = { id: last.id, createdAt };
    this.stats.alertsRead += fresh.length;
    this.stats.eventsSubmitted += events.length;
  }

  /** An alert without events is a decision made by hand (`cscli decisions add`): the stream brings it already. */
  private coveredByStream(a: LapiAlert): boolean {
    return this.opts.decisions && (a.events ?? []).length === 0 && (a.decisions ?? []).length > 0;
  }
}

/** The Central API's and subscribed lists' pulls (thousands of decisions each): remediation data, not detections here. */
function fromBlocklist(a: LapiAlert): boolean {
  return (a.decisions ?? []).some((d) => d.origin === 'CAPI' || d.origin === 'lists');
}
