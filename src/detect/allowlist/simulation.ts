/**
 * Simulation by config (`detect.simulation`): rule or scenario ids, or globs over them, whose
 * detections are recorded marked `simulated` (score 0, no alert, no decision). A behaviour scenario
 * can be named with or without its `behaviour/` prefix. Patterns are matched by Glob, never compiled
 * into a RegExp.
 */
import { Glob } from './glob.js';

export class SimulationSet {
  private readonly globs: readonly Glob[];
  private readonly memo = new Map<string, boolean>();

  constructor(readonly patterns: readonly string[]) {
    this.globs = patterns.map((p, i) => {
      try {
        return new Glob(p, 'text');
      } catch (err) {
        throw new Error(`detect.simulation[${i}]: ${(err as Error).message}`);
      }
    });
  }

  static readonly EMPTY = new SimulationSet([]);

  get size(): number {
    return this.globs.length;
  }

  has(ruleId: string): boolean {
    if (this.globs.length === 0) return false;
    let hit = this.memo.get(ruleId);
    if (hit === undefined) {
      const bare = ruleId.startsWith('behaviour/') ? ruleId.slice('behaviour/'.length) : null;
      hit = this.globs.some((g) => g.matches(ruleId) || (bare !== null && g.matches(bare)));
      // Rule ids come from loaded packs and scenarios, a bounded set; the cap guards against anything else.
      if (this.memo.size < 4096) this.memo.set(ruleId, hit);
    }
    return hit;
  }
}
