/**
 * The detect stage: HttpEvents -> scored threats (geo-annotated when an annotator is given) and the
 * per-IP windows this batch closed, packed with the batch's events and checkpoints into one store write.
 */
import type { ThreatEvent } from '../core/index.js';
import type { WriteBatch } from '../store/index.js';
import type { PipelineMetrics } from './metrics.js';
import type { EventBatch, Evaluator, PreparedBatch } from './types.js';

export interface DetectDeps {
  evaluator: Evaluator;
  metrics: PipelineMetrics;
  /** Optional, synchronous: adds what local lookups know to each threat (geo/ASN) before it is stored. */
  annotate?: (threats: readonly ThreatEvent[]) => void;
}

/** Synchronous and pure apart from counters and the evaluator's own state. */
export function detectBatch(batch: EventBatch, deps: DetectDeps): PreparedBatch {
  const counters = deps.metrics.source(batch.sourceId);
  const { detect } = deps.metrics.stages;
  const t0 = performance.now();
  const { events } = batch;
  const threats = deps.evaluator.evaluate(events);
  // Counted in the detect stage: it is part of turning events into stored threats.
  if (threats.length > 0) deps.annotate?.(threats);
  detect.ms += performance.now() - t0;
  detect.events += events.length;
  detect.batches++;
  counters.detected += threats.length;
  for (const t of threats) if (t.score > 0) counters.threats++;

  // Windows closed by this batch ride in its transaction: stored exactly when the events that closed them are.
  const windows = deps.evaluator.drainWindows?.() ?? [];
  const write: WriteBatch = { events, threats, checkpoints: batch.checkpoints };
  if (windows.length > 0) write.windows = windows;
  // Likewise the hits site knowledge held back: a restart after this commit finds them in the store.
  const held = deps.evaluator.takeHeldChanges?.();
  if (held) write.held = held;
  return { sourceId: batch.sourceId, write };
}
