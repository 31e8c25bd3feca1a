import { describe, expect, it } from 'vitest';
import { RampartError, type Detection, type HttpEvent } from '../core/index.js';
import type { SensorEvent } from '../ingest/index.js';
import { StoreError, type WriteBatch } from '../store/index.js';
import { PipelineMetrics } from './metrics.js';
import { sensorIngest, type DetectEvents } from './sensor-ingest.js';
import { ThreatSinks } from './sinks.js';
import { defaultStages } from './testing/default-stages.js';
import type { StoredBatch } from './types.js';
import { detectWithVerdicts, withVerdicts } from './verdicts.js';

const T = Date.UTC(2026, 11, 7, 12);

function sensorEvent(over: Partial<SensorEvent> = {}): SensorEvent {
  return {
    eventId: null,
    sourceIp: '198.51.100.9',
    destinationIp: null,
    time: T,
    host: null,
    path: null,
    method: null,
    userAgent: null,
    tags: [],
    verdict: null,
    ...over,
  };
}

const verdict = { threatType: 'brute_force', severity: 'high', confidence: 0.9, description: 'ssh' } as const;

function setup(detectOverride?: DetectEvents, failWrite = false) {
  const metrics = new PipelineMetrics();
  const written: WriteBatch[] = [];
  const offered: StoredBatch[] = [];
  const sinks = new ThreatSinks([{ sink: { name: 'live-bus', write: (b) => void offered.push(b) } }], metrics);
  const { evaluator } = defaultStages();
  const detect: DetectEvents = detectOverride ?? (async (batch, verdicts) => detectWithVerdicts(batch, verdicts, { evaluator, metrics }));
  const ingest = sensorIngest(
    detect,
    {
      sink: {
        write: async (b) => {
          if (failWrite) throw new StoreError('write', new Error('connection refused'));
          written.push(b);
        },
      },
      metrics,
      sinks,
    },
    () => T + 5,
  );
  return { ingest, written, offered, metrics, sinks };
}

describe('sensorIngest', () => {
  it('detects with the verdict and our rules, writes one batch with the API fields, offers the threats to the sinks', async () => {
    const { ingest, written, offered, metrics, sinks } = setup();
    const results = await ingest.submit([
      sensorEvent({ verdict, tags: ['a'], destinationIp: '10.0.0.1', eventId: 'x-1' }),
      sensorEvent({ path: '/index.php?id=1 UNION SELECT password FROM users', method: 'GET' }),
      sensorEvent({ path: '/products/1', method: 'GET' }),
    ]);
    expect(results.map((r) => [r.flagged, r.category])).toEqual([
      [true, 'bruteforce'],
      [true, 'sqli'],
      [false, null],
    ]);
    expect(written).toHaveLength(1);
    const [batch] = written;
    expect(batch!.events.map((e) => e.origin)).toEqual(Array.from({ length: 3 }, () => ({ kind: 'api', source: 'ingest-api', receivedAt: T + 5 })));
    expect(batch!.apiEvents?.[0]).toEqual({ id: results[0]!.id, time: T, eventId: 'x-1', destinationIp: '10.0.0.1', tags: ['a'], receivedAt: T + 5 });
    expect(batch!.threats.find((t) => t.event.id === results[0]!.id)!.detections[0]).toMatchObject({ ruleId: 'api/brute_force', severity: 'high', field: 'sensor', detail: 'ssh' });
    await sinks.close(1_000);
    expect(offered).toHaveLength(1);
    expect(offered[0]!.threats).toHaveLength(2);
    expect(metrics.snapshot().sources['ingest-api']).toMatchObject({ stored: 3, detected: 2 });
  });

  it('detects and stores an event_id given twice in one call once, answering its id for both', async () => {
    let seen = 0;
    const { evaluator } = defaultStages();
    const { ingest, written } = setup(async (batch, verdicts) => {
      seen += batch.events.length;
      return detectWithVerdicts(batch, verdicts, { evaluator, metrics: new PipelineMetrics() });
    });
    const results = await ingest.submit([sensorEvent({ eventId: 'same', verdict }), sensorEvent({ eventId: 'other' }), sensorEvent({ eventId: 'same' })]);
    expect(seen).toBe(2);
    expect(written[0]!.events).toHaveLength(2);
    expect(results[2]!.id).toBe(results[0]!.id);
    expect(results[2]!.flagged).toBe(true);
    expect(results[1]!.id).not.toBe(results[0]!.id);
  });

  it('derives the id from the event_id alone: the same in another call, different without one', async () => {
    const { ingest } = setup();
    const [a] = await ingest.submit([sensorEvent({ eventId: 'k' })]);
    const [b] = await ingest.submit([sensorEvent({ eventId: 'k', sourceIp: '192.0.2.1' })]);
    const [c, d] = await ingest.submit([sensorEvent(), sensorEvent()]);
    expect(b!.id).toBe(a!.id);
    expect(c!.id).not.toBe(d!.id);
    expect(c!.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('rejects with a store_unavailable error when the store fails, or when detection cannot run', async () => {
    await expect(setup(undefined, true).ingest.submit([sensorEvent()])).rejects.toMatchObject({ code: 'store_unavailable' });
    const down = setup(async () => {
      throw new Error('worker gone');
    });
    const err = await down.ingest.submit([sensorEvent()]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RampartError);
    expect((err as RampartError).code).toBe('store_unavailable');
  });
  it('stores concurrent calls together (group commit), each answered with its own events, in order', async () => {
    const { ingest, written } = setup();
    const calls = Array.from({ length: 20 }, (_, i) => ingest.submit([sensorEvent({ eventId: `g-${i}`, verdict: i % 2 === 0 ? verdict : null })]));
    const results = await Promise.all(calls);
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(written.length).toBeLessThan(20);
    expect(written.flatMap((w) => w.events)).toHaveLength(20);
    const again = await ingest.submit(Array.from({ length: 20 }, (_, i) => sensorEvent({ eventId: `g-${i}` })));
    expect(again.map((r) => r.id)).toEqual(results.map((r) => r[0]!.id));
    expect(results.map((r) => r[0]!.flagged)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 0));
  });

  it('rejects every call of a group whose write fails, and goes on with the next group', async () => {
    const metrics = new PipelineMetrics();
    const { evaluator } = defaultStages();
    let fail = true;
    const written: WriteBatch[] = [];
    const ingest = sensorIngest(async (batch, verdicts) => detectWithVerdicts(batch, verdicts, { evaluator, metrics }), {
      sink: {
        write: async (b) => {
          if (fail) throw new StoreError('write', new Error('down'));
          written.push(b);
        },
      },
      metrics,
    });
    const first = await Promise.allSettled([ingest.submit([sensorEvent()]), ingest.submit([sensorEvent()])]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await ingest.submit([sensorEvent()])).toHaveLength(1);
    expect(written).toHaveLength(1);
  });
});

describe('withVerdicts', () => {
  const ev = (id: string, path = '/'): HttpEvent => ({
    id,
    time: T,
    ip: '192.0.2.5',
    peerIp: null,
    method: 'GET',
    host: null,
    path,
    query: '',
    protocol: 'HTTP/1.1',
    status: 0,
    bytes: 0,
    referer: null,
    userAgent: null,
    requestTime: null,
    ja4: null,
    ja4h: null,
    headers: null,
    origin: { kind: 'api', source: 'ingest-api', receivedAt: T },
  });
  const ours: Detection = { ruleId: 'ours', category: 'xss', severity: 'medium', confidence: 0.8, field: 'path', fragment: 'x' };
  const theirs: Detection = { ruleId: 'api/sqli', category: 'sqli', severity: 'critical', confidence: 0.9, field: 'sensor', fragment: 'sqli' };

  it('scores the verdict with our detections on one threat, alone where we found nothing, and adds none elsewhere', () => {
    const a = ev('a');
    const b = ev('b');
    const c = ev('c');
    const inner = { evaluate: (events: readonly HttpEvent[]) => events.filter((e) => e !== b).map((event) => ({ event, detections: [ours], score: 0.44, severity: 'medium' as const, category: 'xss' as const })) };
    const threats = withVerdicts(inner, new Map([[a, theirs], [b, theirs]])).evaluate([a, b, c]);
    expect(threats.map((t) => [t.event.id, t.detections.map((d) => d.ruleId), t.severity, t.category])).toEqual([
      ['a', ['api/sqli', 'ours'], 'critical', 'sqli'],
      ['c', ['ours'], 'medium', 'xss'],
      ['b', ['api/sqli'], 'critical', 'sqli'],
    ]);
    // Two pieces of evidence outweigh one (noisy-or).
    expect(threats[0]!.score).toBeGreaterThan(threats[2]!.score);
    expect(threats[1]!.score).toBe(0.44);
  });
});
