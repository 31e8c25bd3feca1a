/**
 * The ingest API's way into the pipeline (issue #11): a request's events enter at the detect seam as an
 * EventBatch (src/pipeline/types.ts), are detected where the log events are (the ingest worker in `serve`, so one
 * set of behaviour windows and site knowledge sees both), stored with the same batch writer in one transaction,
 * and offered to the same sinks (live bus, IOC collector). A call resolves once its events are stored, so they are
 * in /api/threats and /api/stats when the client hears back.
 *
 * Group commit: requests that arrive while a batch is being stored wait and then go together, as one batch in one
 * transaction (each request whole in it: all of its events are stored or none). One transaction per request
 * would serialise on the rollup rows of the current minute anyway (every request updates them), so concurrent
 * single events would queue for a transaction each; together they cost one. The next group is detected while the
 * previous one commits, and groups commit in order, as runEventBatches does.
 *
 * No retry here: a failing store answers 503 and the client retries, which its `event_id` makes safe.
 */
import { RampartError, type Detection } from '../core/index.js';
import { INGEST_API_SOURCE, toHttpEvent, verdictDetection, type IngestedEvent, type SensorEvent, type SensorIngest } from '../ingest/index.js';
import type { ApiEventRow } from '../store/index.js';
import { commitBatch, type CommitDeps } from './pipeline.js';
import type { EventBatch, PreparedBatch } from './types.js';

/** Detection of ready-made events with their sensors' verdicts (`verdicts[i]` for `batch.events[i]`). */
export type DetectEvents = (batch: EventBatch, verdicts: readonly (Detection | null)[]) => Promise<PreparedBatch>;

/** Events per group: a group takes waiting requests until this many (a request is never split; one bulk may be more). */
export const MAX_GROUP_EVENTS = 10_000;

interface Waiting {
  events: readonly SensorEvent[];
  resolve(results: IngestedEvent[]): void;
  reject(err: unknown): void;
}

interface Group {
  members: Waiting[];
  /** Per member, the slot of each of its events in `events` (an event_id repeated in the group shares one). */
  slots: number[][];
  events: EventBatch['events'];
}

export function sensorIngest(detect: DetectEvents, deps: CommitDeps, clock: () => number = Date.now): SensorIngest {
  let queue: Waiting[] = [];
  let running = false;

  function take(): Waiting[] {
    let n = 0;
    let k = 0;
    while (k < queue.length && (k === 0 || n + queue[k]!.events.length <= MAX_GROUP_EVENTS)) n += queue[k++]!.events.length;
    const members = queue.slice(0, k);
    queue = queue.slice(k);
    return members;
  }

  async function prepare(members: Waiting[]): Promise<{ group: Group; prepared: PreparedBatch }> {
    const receivedAt = clock();
    const events: EventBatch['events'] = [];
    const verdicts: (Detection | null)[] = [];
    const apiEvents: ApiEventRow[] = [];
    const slotOf = new Map<string, number>();
    const slots = members.map((m) =>
      m.events.map((e) => {
        const event = toHttpEvent(e, receivedAt);
        let slot = slotOf.get(event.id);
        // An event_id given twice (in one request or two of the group) is one event, the first: detected and stored once.
        if (slot === undefined) {
          slot = events.length;
          slotOf.set(event.id, slot);
          events.push(event);
          verdicts.push(e.verdict ? verdictDetection(e.verdict) : null);
          apiEvents.push({ id: event.id, time: event.time, eventId: e.eventId, destinationIp: e.destinationIp, tags: e.tags, receivedAt });
        }
        return slot;
      }),
    );
    let prepared: PreparedBatch;
    try {
      prepared = await detect({ sourceId: INGEST_API_SOURCE, events, checkpoints: [] }, verdicts);
    } catch (err) {
      if (err instanceof RampartError) throw err;
      throw new RampartError('store_unavailable', `detection of ingested events failed: ${(err as Error).message}`, { cause: err });
    }
    prepared.write.apiEvents = apiEvents;
    return { group: { members, slots, events }, prepared };
  }

  /** Never rejects: every member hears its results or the error. */
  async function commit(group: Group, prepared: PreparedBatch): Promise<void> {
    let answers: IngestedEvent[][];
    try {
      await commitBatch(prepared, deps);
      const threats = new Map(prepared.write.threats.map((t) => [t.event.id, t]));
      answers = group.slots.map((slots) =>
        slots.map((slot): IngestedEvent => {
          const { id } = group.events[slot]!;
          const t = threats.get(id);
          if (!t) return { id, flagged: false, score: 0, severity: null, category: null };
          return { id, flagged: true, score: t.score, severity: t.severity, category: t.category };
        }),
      );
    } catch (err) {
      for (const m of group.members) m.reject(err);
      return;
    }
    group.members.forEach((m, i) => m.resolve(answers[i]!));
  }

  async function drain(): Promise<void> {
    let inFlight: Promise<void> | null = null;
    // prepare and commit never throw (they reject their members), so the loop ends only when the queue is empty.
    for (;;) {
      if (queue.length === 0) {
        if (inFlight === null) break;
        // Requests that arrive during this commit form the next group.
        await inFlight;
        inFlight = null;
        continue;
      }
      const members = take();
      let ready: { group: Group; prepared: PreparedBatch };
      try {
        ready = await prepare(members);
      } catch (err) {
        for (const m of members) m.reject(err);
        continue;
      }
      if (inFlight) await inFlight;
      inFlight = commit(ready.group, ready.prepared);
    }
    running = false;
  }

  return {
    submit(events) {
      return new Promise<IngestedEvent[]>((resolve, reject) => {
        queue.push({ events, resolve, reject });
        if (!running) {
          running = true;
          void drain();
        }
      });
    },
  };
}
