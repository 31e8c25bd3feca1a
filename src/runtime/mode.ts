/**
 * The deployment mode, read from configuration: which store driver, which shared state (caches, quotas,
 * breakers) and which live bus a process uses. Deployments are configuration, not code: every role
 * asks this instead of testing `databaseUrl` or `redis.url` itself.
 */
import type { Config } from '../config/index.js';

/** `distributed` (NATS JetStream between agents and workers) comes with the agent and worker roles. */
export type DeploymentMode = 'embedded' | 'server';

export interface Deployment {
  mode: DeploymentMode;
  /** PGlite in the data dir, or a PostgreSQL server (DATABASE_URL). */
  store: 'pglite' | 'postgres';
  /** Enrichment cache, provider quotas and breakers: this process's memory, or Redis (REDIS_URL). */
  sharedState: 'in-process' | 'redis';
  /** Live fan-out of alerts: this process only, or Redis pub/sub to every API process (REDIS_URL). */
  liveBus: 'in-process' | 'redis';
}

export function deploymentOf(config: Pick<Config, 'store' | 'redis'>): Deployment {
  const server = config.store.databaseUrl !== undefined && config.store.databaseUrl !== '';
  return {
    mode: server ? 'server' : 'embedded',
    store: server ? 'postgres' : 'pglite',
    sharedState: config.redis.url ? 'redis' : 'in-process',
    liveBus: config.redis.url ? 'redis' : 'in-process',
  };
}
