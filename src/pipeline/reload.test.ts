import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.js';
import type { HttpEvent } from '../core/index.js';
import { buildDetection } from './build.js';
import { debounce, reloadDetection } from './reload.js';

const pack = (regex: string) => `pack: custom
category: sqli
rules:
  - id: custom-marker
    name: custom marker
    severity: high
    confidence: 0.9
    fields: [path]
    match: { regex: '${regex}' }
    requires: [zzmarker]
    examples:
      match: ["/zzmarker-a"]
      no_match: ["/plain"]
`;

function ev(id: string, path: string, time: number): HttpEvent {
  return {
    id, time, ip: '198.51.100.9', peerIp: null, method: 'GET', host: null, path, query: '', protocol: 'HTTP/1.1', status: 404,
    bytes: 0, referer: null, userAgent: 'Mozilla/5.0', requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 't', receivedAt: 0 },
  };
}

const logs: { level: string; msg: string; obj: object }[] = [];
const log = { info: (obj: object, msg: string) => logs.push({ level: 'info', msg, obj }), error: (obj: object, msg: string) => logs.push({ level: 'error', msg, obj }) };

describe('rule reload', () => {
  it('swaps in changed user packs, keeps behaviour state, and keeps the old rules when a pack is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-reload-'));
    const file = join(dir, 'custom.yaml');
    writeFileSync(file, pack('zzmarker-a'));
    const parts = buildDetection(validateConfig({ detect: { rules: { paths: [file] } } }));
    const before = parts.rules;
    const behaviourState = parts.engine.stateOf(parts.behaviour);
    const fired = (path: string, t: number) => parts.engine.evaluate([ev(`e${t}`, path, t)]).some((x) => x.detections.some((d) => d.ruleId === 'custom-marker'));
    expect(fired('/zzmarker-a', 1000)).toBe(true);
    expect(fired('/zzmarker-b', 2000)).toBe(false);

    writeFileSync(file, pack('zzmarker-b').replace('"/zzmarker-a"]', '"/zzmarker-b"]'));
    expect(reloadDetection(parts, 'test', log)).toMatchObject({ ok: true });
    expect(parts.rules).not.toBe(before);
    expect(fired('/zzmarker-b', 3000)).toBe(true);
    expect(parts.engine.stateOf(parts.behaviour)).toBe(behaviourState); // same object: windows and buckets survive

    const current = parts.rules;
    writeFileSync(file, pack('zzmarker-(a+)+'));
    const failed = reloadDetection(parts, 'test', log);
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error).toMatch(/custom\.yaml: rule custom-marker/);
    expect(logs.at(-1)!.level).toBe('error');
    expect(parts.rules).toBe(current);
    expect(fired('/zzmarker-b', 4000)).toBe(true);
  });

  it('reloads profiles with the packs and carries allowlist counters over', () => {
    const parts = buildDetection(validateConfig({ detect: { allowlist: { ips: ['10.0.0.1'] } } }));
    parts.engine.evaluate([{ ...ev('x', '/', 1), ip: '10.0.0.1' }]);
    expect(reloadDetection(parts, 'test', log)).toMatchObject({ ok: true, allowlistEntries: 1 });
    expect(parts.engine.allowlist.stats()[0]!.withheld).toBe(1);
  });

  it('debounces a burst of changes into one call', async () => {
    let calls = 0;
    const d = debounce(() => calls++, 20);
    d.trigger();
    d.trigger();
    d.trigger();
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(1);
  });
});
