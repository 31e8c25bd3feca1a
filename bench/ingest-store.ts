/**
 * Where a bulk ingest's store transaction goes (issue #11, docs/benchmarks.md "Session 9"): batches of API events
 * shaped as bench/ingest.ts sends them (every one a threat with the sensor's verdict, a distinct source address)
 * written through the store's BatchWriter into a fresh PostgreSQL schema, with every statement timed by a SqlClient
 * wrapper (no change to the store). The transaction minus its statements is the writer's own JavaScript (COPY text,
 * rollup aggregation). Events/s here is the ceiling of bulk ingest into this PostgreSQL: no HTTP, validation or
 * detection, one transaction at a time as sensor-ingest.ts commits them.
 *   node .bench/build/bench/ingest-store.js [batches] [events-per-batch] [SQL]   # after `npm run bench -- ingest`
 * SQL, when given, runs on the fresh schema first: a variant to compare (`DROP INDEX threats_time_idx`).
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { SEVERITY_SCORE, type ThreatEvent } from '../src/core/index.js';
import { normaliseThreatType, severityFromNumber, toHttpEvent, verdictDetection } from '../src/ingest/index.js';
import { BatchWriter, openStore, type ApiEventRow, type SqlClient } from '../src/store/index.js';
import { createTestSchema, probePostgres } from '../src/store/testing/postgres.js';

export interface StoreProfile {
  loadBefore: number[];
  batches: number;
  eventsPerBatch: number;
  /** Median over the batches (the first, cold, left out), ms per batch. */
  transactionMs: number;
  eventsPerSecond: number;
  /** Median ms per batch of each statement kind, and `(writer JavaScript)` for the rest of the transaction. */
  statements: Record<string, number>;
}

const THREAT_TYPES = ['sqli', 'xss', 'scan', 'brute_force', 'rce', 'bot'];

function batchOf(first: number, n: number, receivedAt: number): { threats: ThreatEvent[]; apiEvents: ApiEventRow[] } {
  const threats: ThreatEvent[] = [];
  const apiEvents: ApiEventRow[] = [];
  for (let i = first; i < first + n; i++) {
    const event = toHttpEvent(
      {
        eventId: null,
        sourceIp: `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`,
        destinationIp: '10.0.0.10',
        time: receivedAt,
        host: 'shop.example',
        path: `/products/${i % 5000}?ref=sensor`,
        method: 'GET',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
        tags: ['bench'],
        verdict: null,
      },
      receivedAt,
    );
    const severity = severityFromNumber(1 + (i % 10));
    const d = verdictDetection({ threatType: normaliseThreatType(THREAT_TYPES[i % THREAT_TYPES.length]!), severity, confidence: 0.8, description: null });
    threats.push({ event, detections: [d], score: (SEVERITY_SCORE[severity] / 10) * 0.8, severity, category: d.category, geo: { kind: 'public', country: 'NL', asn: 64500 } });
    apiEvents.push({ id: event.id, time: event.time, eventId: null, destinationIp: '10.0.0.10', tags: ['bench'], receivedAt });
  }
  return { threats, apiEvents };
}

/** Times every statement under a label: its first words (`COPY threats`, `INSERT INTO rollup_minute_ip`). */
function timed(sql: SqlClient, into: Map<string, number>): SqlClient {
  const add = (label: string, t0: number) => into.set(label, (into.get(label) ?? 0) + performance.now() - t0);
  const labelOf = (text: string) => {
    const words = text.trim().split(/\s+/);
    const n = words[0] === 'INSERT' || words[0] === 'UPDATE' || words[0] === 'DELETE' ? 3 : words[0] === 'WITH' ? 1 : 2;
    return words.slice(0, words[0] === 'UPDATE' ? 2 : n).join(' ');
  };
  const wrapped: SqlClient = {
    dialect: sql.dialect,
    async query(text, params) {
      const t0 = performance.now();
      try {
        return await sql.query(text, params);
      } finally {
        add(labelOf(text), t0);
      }
    },
    exec: (script) => sql.exec(script),
    transaction: (fn) => sql.transaction((tx) => fn(timed(tx, into))),
    close: () => sql.close(),
  };
  if (sql.copyRows) {
    const copy = sql.copyRows.bind(sql);
    wrapped.copyRows = async (table, columns, rows) => {
      const t0 = performance.now();
      try {
        await copy(table, columns, rows);
      } finally {
        add(`COPY ${table}`, t0);
      }
    };
  }
  return wrapped;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
}

export async function runIngestStoreProfile(batches = 8, eventsPerBatch = 10_000, variantSql?: string): Promise<StoreProfile | { skipped: string }> {
  const pgUrl = await probePostgres('ingest store bench');
  if (!pgUrl) return { skipped: 'no PostgreSQL' };
  const schema = await createTestSchema(pgUrl, 'rampart_bench_ingest_store');
  const store = await openStore({ databaseUrl: pgUrl, schema: schema.schema });
  const perStatement = new Map<string, number[]>();
  const totals: number[] = [];
  try {
    if (variantSql) await store.sql.exec(variantSql);
    const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
    for (let b = 0; b <= batches; b++) {
      const spent = new Map<string, number>();
      const writer = new BatchWriter(timed(store.sql, spent));
      const { threats, apiEvents } = batchOf(3_000_000 + b * eventsPerBatch, eventsPerBatch, Date.now());
      const t0 = performance.now();
      await writer.write({ events: threats.map((t) => t.event), threats, checkpoints: [], apiEvents });
      const total = performance.now() - t0;
      if (b === 0) continue;
      totals.push(total);
      let inStatements = 0;
      for (const [label, ms] of spent) {
        inStatements += ms;
        perStatement.set(label, [...(perStatement.get(label) ?? []), ms]);
      }
      perStatement.set('(writer JavaScript)', [...(perStatement.get('(writer JavaScript)') ?? []), total - inStatements]);
    }
    const transactionMs = median(totals);
    return {
      loadBefore,
      batches,
      eventsPerBatch,
      transactionMs: Math.round(transactionMs),
      eventsPerSecond: Math.round((eventsPerBatch * 1000) / transactionMs),
      statements: Object.fromEntries([...perStatement].map(([k, v]) => [k, Math.round(median(v) * 10) / 10]).sort((a, b) => (b[1] as number) - (a[1] as number))),
    };
  } finally {
    await store.sql.close();
    await schema.drop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [batches, events, variantSql] = process.argv.slice(2);
  console.log(JSON.stringify(await runIngestStoreProfile(Number(batches) || undefined, Number(events) || undefined, variantSql), null, 2));
}
