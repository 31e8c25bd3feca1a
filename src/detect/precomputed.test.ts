import { describe, expect, it } from 'vitest';
import type { Detection, HttpEvent } from '../core/index.js';
import { PrecomputedDetector } from './precomputed.js';

const event = (path: string) => ({ path }) as HttpEvent;
const finding: Detection = { ruleId: 'tok-sqli', category: 'sqli', severity: 'high', confidence: 0.9, field: 'path', fragment: "' OR 1=1" };

describe('PrecomputedDetector', () => {
  it('answers each event with what was found in it, and nothing for the others', () => {
    const d = new PrecomputedDetector('tokens', ['tok-sqli', 'tok-xss']);
    const [a, b, c] = [event('/a'), event('/b'), event('/c')];
    d.found.set(b, [finding]);
    expect(d.detect([a, b, c])).toEqual([[], [finding], []]);
    // Keyed by the event object, not by its content.
    expect(d.detect([event('/b')])).toEqual([[]]);
  });

  it("carries the real detector's name and rule ids", () => {
    const d = new PrecomputedDetector('tokens', ['tok-sqli']);
    expect(d.name).toBe('tokens');
    const ids = d.ruleIds();
    ids.push('mutated');
    expect(d.ruleIds()).toEqual(['tok-sqli']);
  });
});
