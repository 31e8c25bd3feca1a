/**
 * The behaviour analytics routes (issue #11) as one group: client families, feature statistics, scenario IPs,
 * cascades and the radar. Every one reads what ingest keeps (src/store/behaviour-repository.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { BehaviourRepository } from '../../store/index.js';
import type { ApiDeps } from '../types.js';
import { behaviourFeatureRoutes } from './behaviour-features.js';
import { clientFamilyRoutes } from './client-families.js';
import { ipBehaviourRoutes } from './ip-behaviour.js';
import { scenarioIpRoutes } from './scenario-ips.js';

export interface BehaviourRouteDeps extends Pick<ApiDeps, 'clock'> {
  behaviour: BehaviourRepository;
}

export function behaviourRoutes(app: FastifyInstance, deps: BehaviourRouteDeps): void {
  clientFamilyRoutes(app, deps);
  behaviourFeatureRoutes(app, deps);
  scenarioIpRoutes(app, deps);
  ipBehaviourRoutes(app, deps);
}
