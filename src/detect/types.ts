/**
 * Detection contract. A Detector maps a batch of events and its own explicit state to detections.
 *
 * Obligations:
 * - Pure and synchronous: no I/O, no timers, no Date.now(). Time comes from each event's `time`, so
 *   replaying last month's log behaves exactly like tailing it live.
 * - `state` is created by `createState()` and owned by the caller (the engine); the detector mutates only
 *   that object. State must be bounded (caps with eviction), whatever the input.
 * - The result is aligned with the batch: `result[i]` holds the detections for `batch[i]` (possibly empty).
 */
import type { HttpEvent, Detection } from '../core/index.js';

export interface Detector<S = unknown> {
  readonly name: string;
  createState(): S;
  detect(batch: readonly HttpEvent[], state: S): Detection[][];
}
