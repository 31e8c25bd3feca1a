/**
 * What the Prometheus registry reads, each part optional but the pipeline: the runtime passes what it
 * runs, and parts built by other features (the analytics cache, the WebSocket hub, further Redis users)
 * are providers added at wiring time. Every provider is called at scrape time only, must be cheap and
 * synchronous (enrichment status is the one asynchronous read), and returns counters since start.
 */
import type { Category } from '../../core/index.js';
import type { PipelineSnapshot } from '../../pipeline/index.js';

/** The pipeline's counters: its snapshot plus the parts the JSON endpoint does not show. */
export interface PipelineMetricsSource {
  snapshot(): PipelineSnapshot;
  /** Detections of stored threats by rule id. */
  readonly detections?: ReadonlyMap<string, { readonly category: Category; readonly count: number }>;
  /** Batches handed to the store, not committed yet. */
  readonly storePending?: number;
  /** Set by the registry: hears each store write's latency (ms). */
  onStoreWrite?: ((ms: number) => void) | undefined;
}

/** One provider as /api/enrichment/status reports it, with its counters since start. */
export interface ProviderMetrics {
  name: string;
  configured: boolean;
  breaker: 'closed' | 'open' | 'half_open';
  counters: { calls: number; ok: number; error: number; skipped: number; cached: number };
}

export interface CacheCounts {
  hits: number;
  misses: number;
}

export interface WebSocketCounts {
  /** Connected now. */
  clients: number;
  /** Messages sent since start. */
  sent: number;
  /** Clients dropped (closed for falling behind) or messages dropped since start. */
  dropped: number;
}

export interface RedisHealthCounts {
  /** Reachable at the last check. */
  up: boolean;
  /** The last PING's round trip in ms; null before the first answer. */
  latencyMs: number | null;
  /** Times it went from reachable to unreachable since start. */
  outages: number;
}

export interface MetricsSources {
  pipeline: PipelineMetricsSource;
  /** Per-provider calls, errors and breaker states (the /api/enrichment/status data). */
  enrichment?: () => Promise<readonly ProviderMetrics[]>;
  /** Hit and miss counters by cache name (`enrichment`, `analytics`...). */
  caches?: Readonly<Record<string, () => CacheCounts>>;
  /** The live alert hub (WebSocket and SSE clients). */
  websocket?: () => WebSocketCounts;
  /** Redis as the health monitor last saw it (only when Redis is configured). */
  redis?: () => RedisHealthCounts;
  /**
   * The rule pack a rule id belongs to. Without it: the prefix of `behaviour/…` and `tokens/…` ids, else
   * the detection's category (each shipped YAML pack is named after its one category).
   */
  packOf?: (ruleId: string) => string | undefined;
  /** Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}
