/**
 * Runs the keyed scenarios (scenarios.ts) for the behaviour detector: per event, each enabled scenario's token test;
 * for a candidate, its bucket (table.ts) keyed by IP, site or page; while a bucket overflows, every candidate request
 * is flagged (each is an attack line: an enumeration request, a cache-busting request, a malformed line).
 */
import { type HttpEvent, type Detection, type Severity, truncateFragment } from '../../../core/index.js';
import type { BehaviourConfig } from '../config.js';
import { hashString, mix32 } from '../sketch.js';
import { KEYED_SCENARIOS, type KeyedScenarioSpec } from './scenarios.js';
import { KeyedBuckets } from './table.js';

export { KEYED_SCENARIOS, randomLastSegment, type KeyedScenarioSpec, type KeyKind } from './scenarios.js';

/** Cells per keyed scenario: attackers and attacked pages tracked at once before collisions start to delay alerts. */
const CELLS = 4096;

/** The keyed scenarios' buckets, one table per scenario (part of BehaviourState). */
export class KeyedState {
  readonly tables: KeyedBuckets[];

  constructor(rewindMs: number) {
    this.tables = KEYED_SCENARIOS.map(() => new KeyedBuckets(CELLS, rewindMs));
  }

  /** A new timeline (a replay rewound by more than rewindMs): every bucket starts empty. */
  clear(): void {
    for (const t of this.tables) t.clear();
  }

  get bytes(): number {
    return this.tables.reduce((sum, t) => sum + t.bytes, 0);
  }
}

export class KeyedScenarios {
  private readonly specs: readonly KeyedScenarioSpec[];
  /** Index into KEYED_SCENARIOS of each enabled scenario, and its bucket settings. */
  private readonly index: number[];
  private readonly capacity: number[];
  private readonly leakMs: number[];
  private readonly severity: Severity[];

  constructor(config: BehaviourConfig) {
    this.specs = KEYED_SCENARIOS;
    this.index = [];
    this.capacity = [];
    this.leakMs = [];
    this.severity = [];
    KEYED_SCENARIOS.forEach((spec, i) => {
      const c = config.scenarios[spec.configKey] as { enabled: boolean; capacity: number; leakMs: number; severity: Severity };
      if (!c.enabled) return;
      this.index.push(i);
      this.capacity.push(c.capacity);
      this.leakMs.push(c.leakMs);
      this.severity.push(c.severity);
    });
  }

  ruleIds(): string[] {
    return this.index.map((i) => `behaviour/${this.specs[i]!.id}`);
  }

  /** Feeds one event at its clamped time `t`; `pathHash`: hashString(e.path), already computed by the detector. */
  observe(e: HttpEvent, t: number, asset: boolean, pathHash: number, st: KeyedState, found: Detection[]): void {
    for (let k = 0; k < this.index.length; k++) {
      const i = this.index[k]!;
      const spec = this.specs[i]!;
      const amount = spec.tokens(e, asset);
      if (amount <= 0) continue;
      const key =
        spec.key === 'ip'
          ? hashString(e.ip)
          : spec.key === 'site'
            ? hashString(e.host ?? '-')
            : mix32(hashString(e.host ?? '-') ^ Math.imul(pathHash, 0x9e3779b1)) || 1;
      const count = st.tables[i]!.pour(key, t, amount, this.capacity[k]!, this.leakMs[k]!);
      if (count > 0) found.push(this.describe(spec, k, count, e));
    }
  }

  private describe(spec: KeyedScenarioSpec, k: number, count: number, e: HttpEvent): Detection {
    const cap = this.capacity[k]!;
    const per = spec.key === 'ip' ? `client ${e.ip}` : spec.key === 'site' ? `site ${e.host ?? '-'}` : `page ${e.host ?? '-'}${e.path}`;
    const rounded = Math.round(count * 10) / 10;
    return {
      ruleId: `behaviour/${spec.id}`,
      category: spec.category,
      severity: this.severity[k]!,
      confidence: Math.min(0.99, spec.confidence + 0.05 * Math.log2(Math.max(1, count / Math.max(1, cap)))),
      field: 'behaviour',
      fragment: truncateFragment(e.method === '-' ? e.path : `${e.method} ${e.path}${e.query === '' ? '' : `?${e.query}`}`),
      detail: `${spec.id}: ${rounded} ${spec.token} overflowed capacity ${cap} (leak 1 per ${this.leakMs[k]! / 1000}s) for ${per}`,
    };
  }
}
