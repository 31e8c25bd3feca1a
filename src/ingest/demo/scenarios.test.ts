/** The demo must show every scenario the behaviour detector claims, each attack reported as what it is. */
import { describe, expect, it } from 'vitest';
import { BehaviourDetector } from '../../detect/index.js';
import { parseHttpEvent } from '../../../eval/combined.js';
import { generateLines } from './simulator.js';

describe('demo traffic against the behaviour detector', () => {
  // 20,000 lines are 13 minutes of demo traffic at the default 25 lines/s.
  const detector = new BehaviourDetector();
  const state = detector.createState();
  const fired = new Set<string>();
  const floodCategories = new Map<string, number>();
  let line = 0;
  for (const l of generateLines({ seed: 1, lines: 20_000 })) {
    const e = parseHttpEvent(l.text, 'demo', ++line);
    if (e === null) continue;
    for (const d of detector.observe(e, state)) {
      fired.add(d.ruleId);
      if (l.label.actor === 'flood') floodCategories.set(d.category, (floodCategories.get(d.category) ?? 0) + 1);
    }
  }

  it('fires every enabled scenario but ja4-rotation (a combined log has no JA4)', () => {
    const silent = detector.ruleIds().filter((id) => !fired.has(id));
    expect(silent).toEqual(['behaviour/ja4-rotation']);
  });

  it('reports the flood actor as a flood (dos), never as a crawler', () => {
    expect(floodCategories.get('dos') ?? 0).toBeGreaterThan(100);
    expect([...floodCategories.keys()]).toEqual(['dos']);
  });
});
