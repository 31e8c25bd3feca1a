/**
 * Runtime: public surface of src/runtime. Assembles a process from configuration and a role; the CLI
 * parses flags and calls `startRuntime`. The roles (and with them the API server, the sources, the
 * store drivers) load only when a runtime starts, so commands that only use the enrichment wiring
 * below stay light.
 */
import pino from 'pino';
import type { Runtime, RuntimeOptions } from './types.js';

export type { Role, RoleName, Runtime, RuntimeOptions } from './types.js';
export { deploymentOf, type Deployment, type DeploymentMode } from './mode.js';
export {
  buildCollector,
  collectorRunLog,
  enrichmentApi,
  enrichmentCheck,
  openEnrichment,
  type OpenEnrichmentOptions,
  type RunningCollector,
} from './enrichment.js';
export { openStandaloneCollector, type StandaloneCollector } from './collector.js';

export async function startRuntime(options: Omit<RuntimeOptions, 'logger'> & { logger?: RuntimeOptions['logger'] }): Promise<Runtime> {
  const logger = options.logger ?? pino({ level: options.config.log.level, base: { svc: 'rampart' } });
  const { ROLES } = await import('./roles.js');
  return ROLES[options.role].start({ ...options, logger });
}
