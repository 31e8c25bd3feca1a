import { describe, expect, it } from 'vitest';
import { randomEventId, sensorEventId, toHttpEvent, type SensorEvent } from './event.js';

const event: SensorEvent = {
  eventId: null,
  sourceIp: '203.0.113.7',
  destinationIp: null,
  time: Date.UTC(2026, 11, 7),
  host: 'shop.example',
  path: '/a?b=1',
  method: null,
  userAgent: null,
  tags: [],
  verdict: null,
};

describe('sensor event ids', () => {
  it('gives events without a client id distinct random ids of 16 hex digits, past the 512 drawn at once', () => {
    const ids = Array.from({ length: 2000 }, () => randomEventId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('derives the id from the client id, the same for every retry', () => {
    const a = toHttpEvent({ ...event, eventId: 'waf-1' }, 1);
    expect(a.id).toBe(sensorEventId('waf-1'));
    expect(toHttpEvent({ ...event, eventId: 'waf-1' }, 2).id).toBe(a.id);
    expect(toHttpEvent(event, 1).id).not.toBe(toHttpEvent(event, 1).id);
  });

  it('splits the target into path and query and defaults the method to GET', () => {
    const e = toHttpEvent(event, 5);
    expect([e.method, e.path, e.query, e.origin]).toEqual(['GET', '/a', 'b=1', { kind: 'api', source: 'ingest-api', receivedAt: 5 }]);
  });
});
