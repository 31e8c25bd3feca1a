import { describe, expect, it } from 'vitest';
import type { Detection, HttpEvent } from '../core/index.js';
import { Allowlist, SimulationSet } from './allowlist/index.js';
import { DetectionEngine } from './engine.js';
import type { Detector } from './types.js';

function ev(id: string, over: Partial<HttpEvent> = {}): HttpEvent {
  return {
    id, time: 0, ip: '198.51.100.7', peerIp: null, method: 'GET', host: null, path: '/', query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 0, referer: null, userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 't', receivedAt: 0 }, ...over,
  };
}

const det = (ruleId: string, category: Detection['category'] = 'sqli'): Detection => ({
  ruleId, category, severity: 'high', confidence: 0.9, field: 'path', fragment: 'x',
});

/** Fires `ruleIds` on every event; counts events it saw in its state (like a behaviour detector would). */
function fake(name: string, ruleIds: string[]): Detector<{ seen: string[] }> {
  return {
    name,
    createState: () => ({ seen: [] }),
    detect: (batch, state) => batch.map((e) => (state.seen.push(e.id), ruleIds.map((r) => det(r, r.startsWith('sens') ? 'sensitive_file' : 'sqli')))),
  };
}

describe('DetectionEngine policy', () => {
  it('keeps event-wide allowlisted events away from every detector, and counts them', () => {
    const d = fake('b', ['r1']);
    const allowlist = new Allowlist([{ id: 'ip', ips: ['10.0.0.0/8'] }]);
    const engine = new DetectionEngine([d], { allowlist });
    const out = engine.evaluate([ev('a', { ip: '10.1.1.1' }), ev('b')]);
    expect(out.map((t) => t.event.id)).toEqual(['b']);
    expect(engine.stateOf(d).seen).toEqual(['b']);
    expect(allowlist.stats()[0]!.withheld).toBe(1);
  });

  it('drops only the detections a scoped entry covers, counted per rule', () => {
    const allowlist = new Allowlist([{ id: 'dav', paths: ['/dav/'], categories: ['sensitive_file'] }]);
    const engine = new DetectionEngine([fake('r', ['sens-env', 'sqli-x'])], { allowlist });
    const [t] = engine.evaluate([ev('a', { path: '/dav/.env' })]);
    expect(t!.detections.map((d) => d.ruleId)).toEqual(['sqli-x']);
    expect(allowlist.stats()[0]).toMatchObject({ suppressed: 1, byRule: { 'sens-env': 1 } });
    // Everything allowed: the event is not flagged at all.
    const only = new DetectionEngine([fake('r', ['sens-env'])], { allowlist });
    expect(only.evaluate([ev('a', { path: '/dav/x' })])).toEqual([]);
  });

  it('marks configured rules as simulated: recorded with score 0', () => {
    const engine = new DetectionEngine([fake('r', ['scanner-nikto'])], { simulation: new SimulationSet(['scanner-*']) });
    const [t] = engine.evaluate([ev('a')]);
    expect(t!.detections[0]!.simulated).toBe(true);
    expect(t!.score).toBe(0);
  });

  it('copies the DNS verdict on a source\'s good-bot claim onto its threats, and nothing when none is known', () => {
    const verdicts = new Map([['192.0.2.1', 'fake' as const], ['192.0.2.2', 'verified' as const]]);
    const engine = new DetectionEngine([fake('r', ['sqli-x'])], {}, null, verdicts);
    const threats = engine.evaluate([ev('a', { ip: '192.0.2.1' }), ev('b', { ip: '192.0.2.2' }), ev('c', { ip: '192.0.2.3' })]);
    expect(threats.map((t) => t.bot)).toEqual(['fake', 'verified', undefined]);
    expect('bot' in threats[2]!).toBe(false);
  });

  it('swaps a detector between batches, keeping the others\' state', () => {
    const rulesA = fake('rules', ['old']);
    const rulesB = fake('rules', ['new']);
    const behaviour = fake('behaviour', []);
    const engine = new DetectionEngine([rulesA, behaviour]);
    expect(engine.evaluate([ev('1')])[0]!.detections[0]!.ruleId).toBe('old');
    engine.replaceDetector(rulesA, rulesB);
    expect(engine.evaluate([ev('2')])[0]!.detections[0]!.ruleId).toBe('new');
    expect(engine.stateOf(behaviour).seen).toEqual(['1', '2']);
    expect(() => engine.stateOf(rulesA)).toThrow(/not part/);
    expect(() => engine.replaceDetector(rulesA, rulesB)).toThrow(/not part/);
  });

  it('swaps the policy between batches', () => {
    const engine = new DetectionEngine([fake('r', ['r1'])]);
    expect(engine.evaluate([ev('1')])).toHaveLength(1);
    engine.setPolicy({ allowlist: new Allowlist([{ id: 'r1', rules: ['r1'] }]) });
    expect(engine.evaluate([ev('2')])).toHaveLength(0);
  });
});
