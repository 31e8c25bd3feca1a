/** RuleDetector: the rule engine behind the Detector contract. Stateless, so its state is void. */
import type { Detection, HttpEvent } from '../../core/index.js';
import type { Detector } from '../types.js';
import { RuleEngine, newStats, type EngineOptions, type ScanStats } from './engine.js';
import type { RuleSet } from './types.js';

export class RuleDetector implements Detector<void> {
  readonly name = 'rules';
  readonly engine: RuleEngine;
  /** Cumulative work counters (fields, bytes scanned, regex runs) for metrics. */
  readonly stats: ScanStats = newStats();

  constructor(ruleSet: RuleSet, opts: EngineOptions = {}) {
    this.engine = new RuleEngine(ruleSet, opts);
  }

  createState(): void {}

  detect(batch: readonly HttpEvent[], _state: void): Detection[][] {
    return batch.map((e) => this.engine.evaluate(e, this.stats));
  }
}
