import { describe, expect, it } from 'vitest';
import type { ThreatEvent } from '../../core/index.js';
import { HeldHits } from './held-hits.js';

function threat(id: string, time: number): ThreatEvent {
  return {
    event: {
      id, time, ip: '198.51.100.7', peerIp: null, method: 'GET', host: null, path: `/${id}.c`, query: '', protocol: 'HTTP/1.1', status: 200,
      bytes: 5120, referer: null, userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
      origin: { kind: 'file', source: '/l', offset: 0, line: 1 },
    },
    detections: [{ ruleId: 'sensitive-source-code-file', category: 'sensitive_file', severity: 'medium', confidence: 0.7, field: 'path', fragment: '/x.c' }],
    score: 0.385, severity: 'medium', category: 'sensitive_file',
  };
}

const ids = (ts: readonly ThreatEvent[]) => ts.map((t) => t.event.id);

describe('HeldHits', () => {
  it('records nothing until tracked (a replay pays nothing)', () => {
    const h = new HeldHits();
    h.push(threat('a', 1));
    h.shift();
    expect(h.take()).toBeNull();
  });

  it('reports newly held hits once, and a later judgement as a settled id', () => {
    const h = new HeldHits();
    h.track();
    h.push(threat('a', 1));
    h.push(threat('b', 2));
    const first = h.take()!;
    expect(ids(first.hold)).toEqual(['a', 'b']);
    expect(first.settle).toEqual([]);
    expect(h.take()).toBeNull();
    expect(h.shift()!.event.id).toBe('a');
    expect(h.take()).toEqual({ hold: [], settle: ['a'] });
    expect(h.size).toBe(1);
  });

  it('a hit held and judged between two takes never reaches the store', () => {
    const h = new HeldHits();
    h.track();
    h.push(threat('a', 1));
    h.shift();
    expect(h.take()).toBeNull();
  });

  it('restores stored hits oldest first, ahead of those held since, without recording them; skips what is not a threat', () => {
    const h = new HeldHits();
    h.track();
    h.push(threat('new', 50));
    const stored = JSON.parse(JSON.stringify([threat('late', 20), threat('early', 10)])) as unknown[];
    const n = h.restore([...stored, { event: { id: 'x' } }, null, 'text', { ...threat('nan', 5), event: { ...threat('nan', 5).event, time: 'soon' } }]);
    expect(n).toBe(2);
    expect(h.size).toBe(3);
    const order: string[] = [];
    for (let t = h.shift(); t; t = h.shift()) order.push(t.event.id);
    expect(order).toEqual(['early', 'late', 'new']);
    // 'new' was held and judged before any take: it never reached the store; the restored two were stored.
    expect(h.take()).toEqual({ hold: [], settle: ['early', 'late'] });
  });

  it('stays compact over many holds and judgements', () => {
    const h = new HeldHits();
    for (let i = 0; i < 5_000; i++) {
      h.push(threat(`t${i}`, i));
      if (i % 2 === 1) h.shift();
    }
    expect(h.size).toBe(2_500);
    expect(h.peek()!.event.id).toBe('t2500');
  });
});
