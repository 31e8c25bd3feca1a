/**
 * /health shares the event loop with parsing and detection, so a catch-up batch is parsed and detected in
 * bounded pieces with a yield between them; PGlite runs in its worker thread, so the loop keeps turning
 * while the store writes. Counted, not timed, so the test holds on a loaded machine: a turn of the loop may
 * parse at most PARSE_SLICE lines and detect at most DETECT_SLICE events, and the loop turns at least once
 * per statement of the write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { RawLine, Source } from '../ingest/index.js';
import { createStore, openStore, type SqlClient, type Store } from '../store/index.js';
import { buildDetection } from './build.js';
import { buildIngest } from './build-ingest.js';
import { PipelineMetrics } from './metrics.js';
import { DETECT_SLICE, PARSE_SLICE, runSource } from './pipeline.js';
import { BadLineSampler } from './sampler.js';

const LINES = 5000;
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

function lineAt(n: number): RawLine {
  const ip = `198.51.${Math.floor(n / 250) % 250}.${n % 250}`;
  const path = n % 97 === 0 ? `/?q=%3Cscript%3Ealert(${n})%3C/script%3E` : `/products/${n}?page=${n % 7}`;
  const text = `${ip} - - [21/Nov/2026:10:${String(Math.floor(n / 100) % 60).padStart(2, '0')}:00 +0000] "GET ${path} HTTP/1.1" 200 ${n} "-" "${UA}"`;
  return { text, key: `k:${n}`, origin: { kind: 'file', source: 'big.log', offset: n * 120, line: n + 1 } };
}

/** Counts work per turn of the event loop: a setImmediate chain advances `turn` once per turn. */
class TurnMeter {
  turn = 0;
  private running = true;
  readonly perTurn = new Map<number, { lines: number; events: number; statements: number }>();
  /** The turn at the start and at the end of each statement. */
  readonly statementTurns: [number, number][] = [];
  constructor() {
    const tick = (): void => {
      this.turn++;
      if (this.running) setImmediate(tick);
    };
    setImmediate(tick);
  }
  add(what: 'lines' | 'events' | 'statements', n: number): void {
    const c = this.perTurn.get(this.turn) ?? { lines: 0, events: 0, statements: 0 };
    c[what] += n;
    this.perTurn.set(this.turn, c);
  }
  stop(): void {
    this.running = false;
  }
  max(what: 'lines' | 'events' | 'statements'): number {
    return Math.max(0, ...[...this.perTurn.values()].map((c) => c[what]));
  }
}

/** The store's SQL, with each statement inside a write counted on the meter. */
function metered(sql: SqlClient, meter: TurnMeter): SqlClient {
  const inTx = (tx: SqlClient): SqlClient => ({
    ...tx,
    query: async (text, params) => {
      meter.add('statements', 1);
      const start = meter.turn;
      try {
        return await tx.query(text, params);
      } finally {
        meter.statementTurns.push([start, meter.turn]);
      }
    },
    transaction: (fn) => tx.transaction((inner) => fn(inTx(inner))),
  });
  return { ...sql, transaction: (fn) => sql.transaction((tx) => fn(inTx(tx))) };
}

describe('a 5,000-line batch into PGlite leaves room for /health', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ databaseUrl: 'memory://' });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
  });

  it('parses and detects it in bounded pieces, and the loop turns while each statement runs', async () => {
    const { config } = loadConfig({ env: {} });
    const ingest = buildIngest(config);
    const detection = buildDetection(config);
    const meter = new TurnMeter();
    const sink = createStore(metered(store.sql, meter)).writer;
    const lines = Array.from({ length: LINES }, (_, i) => lineAt(i));
    const checkpoint = { source: 'big.log', fileId: '1:2', offset: LINES * 120, line: LINES, headHash: 'h' };
    const source: Source = {
      id: 'big',
      async *batches() {
        yield { sourceId: 'big', lines, checkpoints: [checkpoint] };
      },
      stop: async () => {},
    };
    const metrics = new PipelineMetrics();
    try {
      await runSource(source, {
        format: ingest.format,
        normalise: (record, line) => (meter.add('lines', 1), ingest.normalise(record, line)),
        evaluator: {
          evaluate: (events) => (meter.add('events', events.length), detection.engine.evaluate(events)),
          drainWindows: () => detection.engine.drainWindows(),
        },
        sink,
        metrics,
        sampler: new BadLineSampler({ warn: () => {} }),
      });
    } finally {
      meter.stop();
    }
    // Everything arrived, in one batch (one transaction) with its checkpoint.
    expect(metrics.snapshot().sources.big).toMatchObject({ read: LINES, parsed: LINES, stored: LINES, batches: 1 });
    const { rows } = await store.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM requests');
    expect(rows[0]!.n).toBe(LINES);
    const cp = await store.sql.query<{ line: string }>('SELECT line FROM checkpoints WHERE source = $1', ['big.log']);
    expect(Number(cp.rows[0]!.line)).toBe(LINES);
    // ...no turn of the loop parsed or detected more than one bounded piece of it...
    expect(meter.max('lines')).toBeLessThanOrEqual(PARSE_SLICE);
    expect(meter.max('events')).toBeLessThanOrEqual(DETECT_SLICE);
    // ...and the statements ran elsewhere: the loop kept turning while they ran (on this thread, PGlite
    // finishes a statement before the loop can turn; a quick reply may still land in the same turn).
    const statements = meter.statementTurns.length;
    expect(statements).toBeGreaterThan(3);
    const turnsWhileRunning = meter.statementTurns.reduce((sum, [start, end]) => sum + (end - start), 0);
    expect(turnsWhileRunning).toBeGreaterThanOrEqual(statements);
  }, 180_000);
});
