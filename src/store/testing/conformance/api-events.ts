/**
 * API events (ingest API): their extra fields stored with the batch, a retry (same ids) stored once in every
 * table, and the retention prunes them with the requests.
 */
import { expect, it } from 'vitest';
import { makeEvent, makeThreat, T0 } from '../fixtures.js';
import { count, MIN, type ConformanceSection } from './context.js';
import type { ApiEventRow } from '../../api-event-repository.js';

const origin = { kind: 'api', source: 'ingest-api', receivedAt: T0 } as const;

function row(id: string, over: Partial<ApiEventRow> = {}): ApiEventRow {
  return { id, time: T0, eventId: `sensor-${id}`, destinationIp: '10.0.0.1', tags: ['waf', "it's"], receivedAt: T0 + 5, ...over };
}

export const apiEventConformance: ConformanceSection = (t) => {
  it('stores the extra fields with the batch and reads them back', async () => {
    const e = makeEvent('a1', { origin });
    await t.store.writer.write({ events: [e], threats: [makeThreat(e)], checkpoints: [], apiEvents: [row('a1'), row('a2', { eventId: null, destinationIp: null, tags: [] })] });
    expect(await t.store.apiEvents.get('a1')).toEqual(row('a1'));
    expect(await t.store.apiEvents.get('a2')).toEqual(row('a2', { eventId: null, destinationIp: null, tags: [] }));
    expect(await t.store.apiEvents.get('nope')).toBeNull();
    const { rows } = await t.store.sql.query<{ origin: string }>(`SELECT origin FROM requests WHERE id = 'a1'`);
    expect(rows).toEqual([{ origin: 'api' }]);
  });

  it('writes a retried batch (same ids) once: requests, threats, hits, rollups and api_events', async () => {
    const e = makeEvent('r1', { origin });
    const batch = { events: [e], threats: [makeThreat(e)], checkpoints: [], apiEvents: [row('r1')] };
    await t.store.writer.write(batch);
    await t.store.writer.write(batch);
    // Twice in one batch too.
    await t.store.writer.write({ ...batch, events: [e, e], threats: [makeThreat(e), makeThreat(e)], apiEvents: [row('r1'), row('r1')] });
    expect(await count(t.store, 'requests')).toBe(1);
    expect(await count(t.store, 'threats')).toBe(1);
    expect(await count(t.store, 'threat_hits')).toBe(1);
    expect(await count(t.store, 'api_events')).toBe(1);
    const stats = await t.store.rollups.stats(T0 - MIN, T0 + MIN);
    expect(stats.totalRequests).toBe(1);
    expect(stats.threats).toBe(1);
  });

  it('keeps hostile text as data', async () => {
    const evil = "'); DROP TABLE api_events; --\u0000 {\"a\",\\b}\t\n";
    await t.store.writer.write({ events: [makeEvent('h1', { origin })], threats: [], checkpoints: [], apiEvents: [row('h1', { eventId: evil, tags: [evil, 'plain'] })] });
    const got = await t.store.apiEvents.get('h1');
    const kept = evil.replace('\u0000', '\uFFFD');
    expect(got?.eventId).toBe(kept);
    expect(got?.tags).toEqual([kept, 'plain']);
  });

  it('prunes API events older than the cut-off', async () => {
    await t.store.writer.write({
      events: [],
      threats: [],
      checkpoints: [],
      apiEvents: [row('old', { time: T0 - 10 * MIN }), row('new', { time: T0 })],
    });
    expect(await t.store.apiEvents.prune(T0 - MIN)).toBe(1);
    expect(await t.store.apiEvents.get('old')).toBeNull();
    expect(await t.store.apiEvents.get('new')).not.toBeNull();
  });
};
