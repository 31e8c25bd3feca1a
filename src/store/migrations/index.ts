/** Every migration, in the order applied. Adding one: a new module here and one line in the list. */
import * as core from './0001_core.js';
import { migration as enrichment } from './0002_enrichment.js';
import * as threatGeo from './0003_threat_geo.js';
import * as ipWindows from './0004_ip_windows.js';
import * as windowRollup from './0005_window_rollup.js';
import * as siteKnowledge from './0006_site_knowledge.js';
import * as heldThreats from './0007_held_threats.js';
import * as apiEvents from './0008_api_events.js';
import * as socAnalytics from './0009_soc_analytics.js';
import * as behaviourAggregates from './0010_behaviour_aggregates.js';
import * as apiKeys from './0011_api_keys.js';
import * as dayRollups from './0012_day_rollups.js';
import * as decisions from './0013_decisions.js';
import * as notificationDeadLetters from './0015_notification_dead_letters.js';
import * as threatHitsNoFk from './0016_threat_hits_no_fk.js';
import * as ruleHitRollup from './0017_rule_hit_rollup.js';

export interface Migration {
  /** Recorded in schema_migrations; never renamed once released. */
  readonly id: string;
  /** One or more statements, run in one transaction. */
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  core, // 0001_core
  enrichment, // 0002_enrichment
  threatGeo, // 0003_threat_geo
  ipWindows, // 0004_ip_windows
  windowRollup, // 0005_window_rollup
  siteKnowledge, // 0006_site_knowledge
  heldThreats, // 0007_held_threats
  apiEvents, // 0008_api_events
  socAnalytics, // 0009_soc_analytics
  behaviourAggregates, // 0010_behaviour_aggregates
  apiKeys, // 0011_api_keys
  dayRollups, // 0012_day_rollups
  decisions, // 0013_decisions
  notificationDeadLetters, // 0015_notification_dead_letters
  threatHitsNoFk, // 0016_threat_hits_no_fk
  ruleHitRollup, // 0017_rule_hit_rollup
];
