/**
 * The source's bookkeeping where the real LAPI cannot put it on demand (the e2e test runs the rest against it):
 * a store that fails after the stream moved on, cursors from the store, a page of alerts that grows to reach the
 * last one read, blocklists and Rampart's own pushes skipped. The client here is an in-memory LAPI of the captured
 * shapes.
 */
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../types.js';
import type { AlertQuery } from './lapi-client.js';
import { LapiError } from './lapi-client.js';
import type { LapiAlert, LapiDecision, LapiStream } from './lapi-schemas.js';
import type { CrowdsecEvent } from './mapping.js';
import { ALERTS_CURSOR, CrowdsecSource, DECISIONS_CURSOR } from './source.js';

const URL_ = 'http://127.0.0.1:8080';
const quiet = { warn() {}, info() {} };

function decision(id: number, value: string, scenario = 'manual'): LapiDecision {
  return { id, origin: 'cscli', scope: 'Ip', value, type: 'ban', duration: '4h', scenario };
}

function alert(id: number, ip: string, extra: Partial<LapiAlert> = {}): LapiAlert {
  return {
    id,
    scenario: 'crowdsecurity/http-probing',
    created_at: '2026-12-07T12:00:00Z',
    source: { scope: 'Ip', value: ip, ip },
    events: [{ timestamp: '2026-12-07 12:00:00 +0000 UTC', meta: [{ key: 'http_path', value: `/p${id}` }] }],
    decisions: [],
    ...extra,
  };
}

function harness(opts: { stored?: Checkpoint[]; decisions?: boolean; alerts?: boolean; alertsLimit?: number } = {}) {
  const calls: { startup?: boolean; query?: AlertQuery }[] = [];
  const lapi = { stream: [] as LapiStream[], alerts: [] as LapiAlert[], down: false };
  const stored: { events: CrowdsecEvent[]; checkpoints: Checkpoint[] }[] = [];
  let storeFails = false;
  const source = new CrowdsecSource({
    client: {
      async decisionStream(startup) {
        calls.push({ startup });
        if (lapi.down) throw new LapiError('crowdsec GET /v1/decisions/stream: ECONNREFUSED', null);
        return lapi.stream.shift() ?? { new: null, deleted: null };
      },
      async alerts(query) {
        calls.push({ query });
        return [...lapi.alerts].sort((a, b) => b.id - a.id).slice(0, query.limit);
      },
    },
    lapiUrl: URL_,
    decisions: opts.decisions ?? true,
    alerts: opts.alerts ?? false,
    pollIntervalMs: 1000,
    alertsLookbackMs: 86_400_000,
    alertsLimit: opts.alertsLimit ?? 500,
    loadCursors: async () => opts.stored ?? [],
    async submit(events, checkpoints) {
      if (storeFails) throw new Error('store down');
      stored.push({ events: [...events], checkpoints });
    },
    log: quiet,
  });
  return { source, lapi, calls, stored, failStore: (v: boolean) => (storeFails = v) };
}

describe('CrowdsecSource', () => {
  it('asks for the startup stream again when what it returned could not be stored', async () => {
    const h = harness();
    h.lapi.stream.push({ new: [decision(1, '192.0.2.1')], deleted: null }, { new: [decision(1, '192.0.2.1')], deleted: null });
    h.failStore(true);
    await expect(h.source.pollOnce()).rejects.toThrow('store down');
    h.failStore(false);
    await h.source.pollOnce();
    await h.source.pollOnce();
    expect(h.calls.map((c) => c.startup)).toEqual([true, true, false]);
    expect(h.stored).toHaveLength(1);
    expect(h.stored[0]!.checkpoints).toEqual([{ source: DECISIONS_CURSOR, fileId: URL_, offset: 1, line: 0, headHash: '' }]);
  });

  it('resumes after the stored cursor of this LAPI (another LAPI’s cursor is not its own)', async () => {
    const h = harness({
      stored: [
        { source: DECISIONS_CURSOR, fileId: URL_, offset: 5, line: 0, headHash: '' },
        { source: ALERTS_CURSOR, fileId: 'http://other:8080', offset: 99, line: 0, headHash: '' },
      ],
    });
    h.lapi.stream.push({ new: [decision(4, '192.0.2.4'), decision(6, '192.0.2.6'), decision(5, '192.0.2.5')], deleted: null });
    await h.source.pollOnce();
    expect(h.stored[0]!.events.map((e) => e.event.ip)).toEqual(['192.0.2.6']);
    expect(h.stored[0]!.checkpoints[0]!.offset).toBe(6);
  });

  it('skips what Rampart pushed and scopes without an address, and still moves the cursor past them', async () => {
    const h = harness();
    h.lapi.stream.push({ new: [decision(1, '192.0.2.1', 'rampart/sqli-union-select'), { ...decision(2, 'FR'), scope: 'Country' }], deleted: null });
    await h.source.pollOnce();
    expect(h.stored[0]!.events).toEqual([]);
    expect(h.stored[0]!.checkpoints[0]!.offset).toBe(2);
    expect(h.source.stats.skippedScopes).toBe(1);
  });

  it('reads alerts: the first run by look-back, then newest first, the page growing until it reaches the last one read', async () => {
    const h = harness({ decisions: false, alerts: true, alertsLimit: 2 });
    h.lapi.alerts.push(alert(1, '203.0.113.1'));
    await h.source.pollOnce();
    expect(h.calls[0]!.query).toEqual({ since: '24h', limit: 2 });
    expect(h.stored[0]!.checkpoints[0]).toMatchObject({ source: ALERTS_CURSOR, offset: 1, line: Date.UTC(2026, 11, 7, 12) });
    for (let id = 2; id <= 6; id++) h.lapi.alerts.push(alert(id, `203.0.113.${id}`));
    // A blocklist pull and an alert Rampart pushed are not detections to import.
    h.lapi.alerts.push(alert(7, '203.0.113.7', { decisions: [{ ...decision(70, '203.0.113.7'), origin: 'CAPI' }] }));
    h.lapi.alerts.push(alert(8, '203.0.113.8', { scenario: 'rampart/sqli-union-select' }));
    await h.source.pollOnce();
    expect(h.calls.slice(1).map((c) => c.query)).toEqual([{ limit: 2 }, { limit: 4 }, { limit: 8 }]);
    expect(h.stored[1]!.events.map((e) => e.event.path)).toEqual(['/p2', '/p3', '/p4', '/p5', '/p6']);
    expect(h.stored[1]!.checkpoints[0]!.offset).toBe(8);
  });

  it('an alert without events is left to the stream when the stream is read', async () => {
    const manual = alert(1, '192.0.2.9', { events: null, decisions: [decision(1, '192.0.2.9')] });
    const both = harness({ alerts: true });
    both.lapi.alerts.push(manual);
    await both.source.pollOnce();
    expect(both.stored.flatMap((s) => s.events)).toEqual([]);
    const alertsOnly = harness({ decisions: false, alerts: true });
    alertsOnly.lapi.alerts.push(manual);
    await alertsOnly.source.pollOnce();
    expect(alertsOnly.stored[0]!.events.map((e) => e.event.ip)).toEqual(['192.0.2.9']);
  });

  it('reports an unreachable LAPI in readiness and its return', async () => {
    const h = harness();
    expect(h.source.readiness().detail).toBe('connecting to the CrowdSec LAPI');
    h.lapi.down = true;
    h.source.start();
    await waitUntil(() => /unreachable/.test(h.source.readiness().detail));
    expect(h.source.readiness()).toMatchObject({ ok: true });
    expect(h.source.readiness().detail).toMatch(/^degraded: CrowdSec LAPI unreachable since .* \(GET \/v1\/decisions\/stream: ECONNREFUSED\)/);
    h.lapi.down = false;
    // The first retry comes after 1 s.
    await waitUntil(() => /^CrowdSec LAPI reachable/.test(h.source.readiness().detail), 10_000);
    expect(h.source.stats.outages).toBe(1);
    await h.source.stop();
  });

  it('says so in readiness when the LAPI answers but refuses the key', async () => {
    const refused = new CrowdsecSource({
      client: {
        decisionStream: async () => {
          throw new LapiError('crowdsec GET /v1/decisions/stream: HTTP 403 (access forbidden)', 403);
        },
        alerts: async () => [],
      },
      lapiUrl: URL_,
      decisions: true,
      alerts: false,
      pollIntervalMs: 1000,
      alertsLookbackMs: 1,
      alertsLimit: 1,
      loadCursors: async () => [],
      submit: async () => {},
      log: quiet,
    });
    refused.start();
    await waitUntil(() => refused.stats.failedPolls > 0);
    expect(refused.readiness()).toEqual({
      ok: true,
      detail: 'degraded: CrowdSec LAPI answers but the poll failed (GET /v1/decisions/stream: HTTP 403 (access forbidden)); retrying with backoff',
    });
    await refused.stop();
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
