/**
 * The ingest API's way into the pipeline (issue #11): a request's events enter at the detect seam as one
 * EventBatch (src/pipeline/types.ts), are detected where the log events are (the ingest worker in `serve`, so one
 * set of behaviour windows and site knowledge sees both), stored with the same batch writer in one transaction,
 * and offered to the same sinks (live bus, IOC collector). The call resolves once the batch is stored, so the
 * events are in /api/threats and /api/stats when the client hears back.
 *
 * No retry here: a failing store answers 503 and the client retries, which its `event_id` makes safe.
 */
import { RampartError, type Detection } from '../core/index.js';
import { INGEST_API_SOURCE, toHttpEvent, verdictDetection, type IngestedEvent, type SensorIngest } from '../ingest/index.js';
import { commitBatch, type CommitDeps } from './pipeline.js';
import type { EventBatch, PreparedBatch } from './types.js';
import type { ApiEventRow } from '../store/index.js';

/** Detection of ready-made events with their sensors' verdicts (`verdicts[i]` for `batch.events[i]`). */
export type DetectEvents = (batch: EventBatch, verdicts: readonly (Detection | null)[]) => Promise<PreparedBatch>;

export function sensorIngest(detect: DetectEvents, deps: CommitDeps, clock: () => number = Date.now): SensorIngest {
  return {
    async submit(input) {
      const receivedAt = clock();
      const events: EventBatch['events'] = [];
      const verdicts: (Detection | null)[] = [];
      const apiEvents: ApiEventRow[] = [];
      const slotOf = new Map<string, number>();
      const slots: number[] = [];
      for (const e of input) {
        const event = toHttpEvent(e, receivedAt);
        let slot = slotOf.get(event.id);
        // A client id given twice in one request is one event (the first): detected once, stored once.
        if (slot === undefined) {
          slot = events.length;
          slotOf.set(event.id, slot);
          events.push(event);
          verdicts.push(e.verdict ? verdictDetection(e.verdict) : null);
          apiEvents.push({ id: event.id, time: event.time, eventId: e.eventId, destinationIp: e.destinationIp, tags: e.tags, receivedAt });
        }
        slots.push(slot);
      }
      let prepared: PreparedBatch;
      try {
        prepared = await detect({ sourceId: INGEST_API_SOURCE, events, checkpoints: [] }, verdicts);
      } catch (err) {
        if (err instanceof RampartError) throw err;
        throw new RampartError('store_unavailable', `detection of ingested events failed: ${(err as Error).message}`, { cause: err });
      }
      prepared.write.apiEvents = apiEvents;
      await commitBatch(prepared, deps);
      const threats = new Map(prepared.write.threats.map((t) => [t.event.id, t]));
      return slots.map((slot): IngestedEvent => {
        const { id } = events[slot]!;
        const t = threats.get(id);
        if (!t) return { id, flagged: false, score: 0, severity: null, category: null };
        return { id, flagged: true, score: t.score, severity: t.severity, category: t.category };
      });
    },
  };
}
