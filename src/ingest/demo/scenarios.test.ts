/** The demo must show every scenario the behaviour detector claims, each attack reported as what it is. */
import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../core/index.js';
import { BehaviourDetector } from '../../detect/index.js';
import { parseHttpEvent } from '../../../eval/combined.js';
import { getFormat } from '../formats/index.js';
import { normaliseRecord } from '../normalise.js';
import { DEMO_JA4_LOG_FORMAT, type DemoFormat } from './ja4.js';
import { generateLines } from './simulator.js';

const ja4Format = getFormat({ logFormat: DEMO_JA4_LOG_FORMAT });

/** The demo's lines parsed as serve parses them: combined, or the demo's JA4 log_format. */
function eventOf(text: string, format: DemoFormat, line: number): HttpEvent | null {
  if (format === 'combined') return parseHttpEvent(text, 'demo', line);
  const parsed = ja4Format.parse(text);
  if (!parsed.ok) return null;
  const e = normaliseRecord(parsed.record, { text, key: `demo:${line}`, origin: { kind: 'file', source: 'demo', offset: 0, line } }, { trusted: null, now: () => 0 });
  return 'error' in e ? null : e;
}

function replay(format: DemoFormat) {
  // 20,000 lines are 13 minutes of demo traffic at the default 25 lines/s.
  const detector = new BehaviourDetector();
  const state = detector.createState();
  const fired = new Set<string>();
  const floodCategories = new Map<string, number>();
  const ja4Actors = new Set<string>();
  let line = 0;
  let unparsed = 0;
  for (const l of generateLines({ seed: 1, lines: 20_000, format })) {
    const e = eventOf(l.text, format, ++line);
    if (e === null) {
      unparsed++;
      continue;
    }
    for (const d of detector.observe(e, state)) {
      fired.add(d.ruleId);
      if (l.label.actor === 'flood') floodCategories.set(d.category, (floodCategories.get(d.category) ?? 0) + 1);
      if (d.ruleId === 'behaviour/ja4-rotation') ja4Actors.add(l.label.actor);
    }
  }
  return { silent: detector.ruleIds().filter((id) => !fired.has(id)), floodCategories, ja4Actors, unparsed };
}

describe('demo traffic against the behaviour detector', () => {
  const combined = replay('combined');

  it('fires every enabled scenario but ja4-rotation (a combined log has no JA4)', () => {
    expect(combined.silent).toEqual(['behaviour/ja4-rotation']);
  });

  it('reports the flood actor as a flood (dos), never as a crawler', () => {
    expect(combined.floodCategories.get('dos') ?? 0).toBeGreaterThan(100);
    expect([...combined.floodCategories.keys()]).toEqual(['dos']);
  });
});

describe('demo traffic in its JA4 format (demo.format: ja4)', () => {
  const ja4 = replay('ja4');

  it('parses every line with the demo JA4 log_format and fires every enabled scenario, ja4-rotation included', () => {
    expect(ja4.unparsed).toBe(0);
    expect(ja4.silent).toEqual([]);
  });

  it('ja4-rotation fires on the credential-stuffing tool only: every other client keeps its TLS library', () => {
    expect([...ja4.ja4Actors]).toEqual(['bruteforce']);
  });

  it('writes the same requests as the combined demo, plus the JA4 field', () => {
    const a = [...generateLines({ seed: 3, lines: 300 })];
    const b = [...generateLines({ seed: 3, lines: 300, format: 'ja4' })];
    expect(b.map((l) => l.text.replace(/ "t13[^"]*"$/, ''))).toEqual(a.map((l) => l.text));
    expect(b.every((l) => / "t13[a-z]\d{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}"$/.test(l.text))).toBe(true);
  });
});
