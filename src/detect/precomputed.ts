/**
 * A detector whose findings were computed elsewhere: another thread ran the real detector over the same events
 * (analyze's parse thread runs the tokenisers, src/runtime/parse-thread.ts) and handed its detections over, keyed by
 * event. It stands in the engine at the real detector's place, so detections keep their order and every policy
 * (allowlist, simulation, site knowledge, scoring) applies to them as to the real one's.
 *
 * Only for a detector that is pure per event (its state no more than a cache): then running it elsewhere, on the
 * same events, finds exactly what it would have found here.
 */
import type { Detection, HttpEvent } from '../core/index.js';
import type { Detector } from './types.js';

const NONE: Detection[] = [];

export class PrecomputedDetector implements Detector<null> {
  /** What the real detector found, per event object; an event it found nothing in is absent. */
  readonly found = new WeakMap<HttpEvent, Detection[]>();

  constructor(
    /** The real detector's: the engine's listing and reload find it by name. */
    readonly name: string,
    private readonly ids: readonly string[],
  ) {}

  /** The real detector's rule ids (the loaded-rules listing). */
  ruleIds(): string[] {
    return [...this.ids];
  }

  createState(): null {
    return null;
  }

  detect(batch: readonly HttpEvent[]): Detection[][] {
    const out = new Array<Detection[]>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = this.found.get(batch[i]!) ?? NONE;
    return out;
  }
}
