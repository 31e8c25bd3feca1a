/** Prometheus metrics of the API process: the registry, the HTTP hook, the optional private listener. */
export { ApiMetrics, LATENCY_BUCKETS } from './registry.js';
export { installHttpMetrics, UNMATCHED_ROUTE } from './http-hook.js';
export { listenMetrics, parseListenAddress, type ListenMetricsOptions, type MetricsListener } from './listener.js';
export type * from './types.js';
