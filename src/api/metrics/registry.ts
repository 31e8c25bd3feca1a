/**
 * The Prometheus registry of one API app (its own Registry, never prom-client's global one, so two apps in
 * one process or in one test file do not clash). Almost everything is read at scrape time from counters
 * that exist anyway (the pipeline snapshot, the enrichment status, the providers in MetricsSources), so
 * the hot paths keep no second set of books: only the HTTP hook (plain numbers, http-timings.ts) and the
 * store write latency (once per batch) observe.
 * Names and labels are listed in docs/api.md (## Metrics).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PipelineSnapshot } from '../../pipeline/index.js';
import { HttpTimings } from './http-timings.js';
import type { MetricsSources, ProviderMetrics } from './types.js';

/** Seconds; from a cached read (1 ms) to a slow report or a store write during an outage (10 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

type Labels<T extends string> = Partial<Record<T, string | number>>;

export class ApiMetrics {
  readonly registry = new Registry();
  /** What one scrape reads, taken once per scrape rather than once per metric. */
  private snap: PipelineSnapshot | null = null;
  private providers: readonly ProviderMetrics[] = [];
  private readonly http = new HttpTimings(LATENCY_BUCKETS);

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    if (sources.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.http.register(
      this.registry,
      { requests: 'rampart_http_requests_total', duration: 'rampart_http_request_duration_seconds' },
      {
        requests: 'HTTP requests answered, by method, route pattern (never the raw URL) and status code.',
        duration: 'Time from request received to response sent, by method, route pattern and status code.',
      },
    );
    const storeWrite = new Histogram({
      name: 'rampart_store_write_duration_seconds',
      help: 'Time to commit one batch (events, threats, windows, checkpoints) in one transaction.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    sources.pipeline.onStoreWrite = (ms) => storeWrite.observe(ms / 1000);
    this.pipelineMetrics();
    this.enrichmentMetrics();
    this.sideMetrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: one pipeline snapshot and one enrichment status read per scrape. */
  async render(): Promise<string> {
    this.snap = this.sources.pipeline.snapshot();
    try {
      this.providers = (await this.sources.enrichment?.()) ?? [];
    } catch {
      // A status read that fails (shared state unreachable) leaves the providers' series out of this scrape.
      this.providers = [];
    }
    return this.registry.metrics();
  }

  /** One answered request; `route` is the matched pattern or `unmatched`. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe(method, route, status, seconds);
  }

  private counter<T extends string>(name: string, help: string, labelNames: readonly T[], read: (add: (labels: Labels<T>, v: number) => void) => void): void {
    new Counter<T>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        read((labels, v) => this.inc(labels, v));
      },
    });
  }

  private gauge<T extends string>(name: string, help: string, labelNames: readonly T[], read: (set: (labels: Labels<T>, v: number) => void) => void): void {
    new Gauge<T>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        read((labels, v) => this.set(labels, v));
      },
    });
  }

  private pipelineMetrics(): void {
    const snap = () => this.snap ?? this.sources.pipeline.snapshot();
    const perSource = (field: 'read' | 'parsed' | 'unparsed' | 'overlong' | 'stored' | 'dropped' | 'threats') => (add: (l: Labels<'source'>, v: number) => void) => {
      for (const [source, c] of Object.entries(snap().sources)) add({ source }, c[field]);
    };
    this.counter('rampart_lines_read_total', 'Log lines read, per source.', ['source'], perSource('read'));
    this.counter('rampart_lines_parsed_total', 'Lines parsed into events, per source.', ['source'], perSource('parsed'));
    this.counter('rampart_lines_unparsed_total', 'Lines no log format could parse, per source.', ['source'], perSource('unparsed'));
    this.counter('rampart_lines_overlong_total', 'Lines over the maximum length, rejected before parsing, per source.', ['source'], perSource('overlong'));
    this.counter('rampart_events_stored_total', 'Events committed to the store, per source.', ['source'], perSource('stored'));
    this.counter('rampart_events_dropped_total', 'Events accepted but not stored (should stay 0), per source.', ['source'], perSource('dropped'));
    this.counter('rampart_threats_total', 'Flagged events that alert (score above 0), per source.', ['source'], perSource('threats'));
    this.gauge('rampart_ingest_lag_seconds', 'Now minus the newest event time processed, per source (absent before its first event).', ['source'], (set) => {
      for (const [source, c] of Object.entries(snap().sources)) if (c.lagMs !== null) set({ source }, c.lagMs / 1000);
    });
    this.counter('rampart_detections_total', 'Detections in stored threats (simulated rules apart), by category and rule pack.', ['category', 'pack'], (add) => {
      const sums = new Map<string, { category: string; pack: string; n: number }>();
      for (const [ruleId, d] of this.sources.pipeline.detections ?? []) {
        const pack = this.packOf(ruleId, d.category);
        const key = `${d.category}\u0000${pack}`;
        const s = sums.get(key);
        if (s) s.n += d.count;
        else sums.set(key, { category: d.category, pack, n: d.count });
      }
      for (const s of sums.values()) add({ category: s.category, pack: s.pack }, s.n);
    });
    const stage = (field: 'events' | 'batches' | 'errors') => (add: (l: Labels<'stage'>, v: number) => void) => {
      for (const [name, c] of Object.entries(snap().stages)) add({ stage: name }, c[field]);
    };
    this.counter('rampart_stage_events_total', 'Events through each stage (parse, detect, store).', ['stage'], stage('events'));
    this.counter('rampart_stage_batches_total', 'Batches through each stage.', ['stage'], stage('batches'));
    this.counter('rampart_stage_errors_total', 'Failed batches per stage (a store error is retried).', ['stage'], stage('errors'));
    this.counter('rampart_stage_seconds_total', 'Time spent in each stage.', ['stage'], (add) => {
      for (const [name, c] of Object.entries(snap().stages)) add({ stage: name }, c.ms / 1000);
    });
    this.gauge('rampart_store_queue_depth', 'Batches handed to the store writer and not committed yet.', [], (set) => set({}, this.sources.pipeline.storePending ?? 0));
    this.gauge('rampart_store_up', '1 while the store answers, 0 during an outage.', [], (set) => set({}, snap().storeAvailability.downSince === null ? 1 : 0));
    this.counter('rampart_store_outages_total', 'Store outages since start.', [], (add) => add({}, snap().storeAvailability.outages));
    this.gauge('rampart_sink_queue_depth', 'Batches waiting in each output queue (live bus, IOC collector).', ['sink'], (set) => {
      for (const [sink, c] of Object.entries(snap().sinks)) set({ sink }, c.queued);
    });
    this.counter('rampart_sink_batches_total', 'Batches per output and outcome (delivered, failed, dropped).', ['sink', 'outcome'], (add) => {
      for (const [sink, c] of Object.entries(snap().sinks)) {
        add({ sink, outcome: 'delivered' }, c.delivered);
        add({ sink, outcome: 'failed' }, c.failed);
        add({ sink, outcome: 'dropped' }, c.dropped);
      }
    });
  }

  private packOf(ruleId: string, category: string): string {
    const given = this.sources.packOf?.(ruleId);
    if (given !== undefined) return given;
    const slash = ruleId.indexOf('/');
    return slash > 0 ? ruleId.slice(0, slash) : category;
  }

  private enrichmentMetrics(): void {
    this.counter(
      'rampart_enrichment_provider_calls_total',
      'Threat-intel lookups per provider and outcome: ok and error asked the provider; cached and skipped asked nobody.',
      ['provider', 'outcome'],
      (add) => {
        for (const p of this.providers) {
          for (const outcome of ['ok', 'error', 'cached', 'skipped'] as const) add({ provider: p.name, outcome }, p.counters[outcome]);
        }
      },
    );
    this.gauge('rampart_enrichment_breaker_state', "Each provider's circuit breaker: 1 on its current state, 0 on the others.", ['provider', 'state'], (set) => {
      for (const p of this.providers) {
        if (!p.configured) continue;
        for (const state of BREAKER_STATES) set({ provider: p.name, state }, p.breaker === state ? 1 : 0);
      }
    });
  }

  private sideMetrics(): void {
    const caches = Object.entries(this.sources.caches ?? {});
    if (caches.length > 0) {
      this.counter('rampart_cache_hits_total', 'Cache hits by cache.', ['cache'], (add) => {
        for (const [cache, read] of caches) add({ cache }, read().hits);
      });
      this.counter('rampart_cache_misses_total', 'Cache misses by cache.', ['cache'], (add) => {
        for (const [cache, read] of caches) add({ cache }, read().misses);
      });
      this.gauge('rampart_cache_hit_ratio', 'Hits over hits and misses since start, by cache (absent before the first lookup).', ['cache'], (set) => {
        for (const [cache, read] of caches) {
          const { hits, misses } = read();
          if (hits + misses > 0) set({ cache }, hits / (hits + misses));
        }
      });
    }
    const ws = this.sources.websocket;
    if (ws) {
      this.gauge('rampart_websocket_clients', 'Live alert clients connected now (WebSocket and SSE).', [], (set) => set({}, ws().clients));
      this.counter('rampart_websocket_messages_sent_total', 'Alert messages sent to live clients.', [], (add) => add({}, ws().sent));
      this.counter('rampart_websocket_dropped_total', 'Live clients closed for falling behind, or messages dropped.', [], (add) => add({}, ws().dropped));
    }
    const redis = this.sources.redis;
    if (redis) {
      this.gauge('rampart_redis_up', '1 when the last PING to Redis answered, 0 otherwise.', [], (set) => set({}, redis().up ? 1 : 0));
      this.gauge('rampart_redis_ping_seconds', 'Round trip of the last PING to Redis (absent before the first answer).', [], (set) => {
        const ms = redis().latencyMs;
        if (ms !== null) set({}, ms / 1000);
      });
      this.counter('rampart_redis_outages_total', 'Times Redis went from reachable to unreachable since start.', [], (add) => add({}, redis().outages));
    }
  }
}
