/**
 * The store conformance suite: the same assertions for every backend, one section per repository
 * (conformance/<repository>.ts). `open` returns a fresh, empty, not yet migrated store; the suite migrates it
 * before each test and closes it after. A new repository adds its section file and one line here.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../store.js';
import { createStore } from '../store.js';
import { apiEventConformance } from './conformance/api-events.js';
import { analyticsConformance } from './conformance/analytics.js';
import { behaviourConformance } from './conformance/behaviour.js';
import { apiKeyConformance } from './conformance/api-keys.js';
import { checkpointConformance } from './conformance/checkpoints.js';
import { deadLetterConformance } from './conformance/dead-letters.js';
import type { ConformanceContext, ConformanceSection } from './conformance/context.js';
import { iocConformance } from './conformance/iocs.js';
import { requestConformance } from './conformance/requests.js';
import { rollupConformance } from './conformance/rollups.js';
import { ruleHitConformance } from './conformance/rule-hits.js';
import { schemaConformance } from './conformance/schema.js';
import { siteKnowledgeConformance } from './conformance/site-knowledge.js';
import { threatConformance } from './conformance/threats.js';
import { topKeyConformance } from './conformance/top-keys.js';
import { windowConformance } from './conformance/windows.js';
import { writerConformance } from './conformance/writer.js';

export type OpenTestStore = () => Promise<Store>;

export const STORE_SECTIONS: Record<string, ConformanceSection> = {
  schema: schemaConformance,
  writer: writerConformance,
  checkpoints: checkpointConformance,
  requests: requestConformance,
  threats: threatConformance,
  windows: windowConformance,
  rollups: rollupConformance,
  ruleHits: ruleHitConformance,
  iocs: iocConformance,
  siteKnowledge: siteKnowledgeConformance,
  apiEvents: apiEventConformance,
  analytics: analyticsConformance,
  behaviour: behaviourConformance,
  apiKeys: apiKeyConformance,
  deadLetters: deadLetterConformance,
  topKeys: topKeyConformance,
};

export function describeStoreConformance(name: string, open: OpenTestStore): void {
  describe(`store conformance: ${name}`, () => {
    const t = { withOptions: (opts) => createStore(t.store.sql, opts) } as ConformanceContext;

    beforeEach(async () => {
      t.store = await open();
      t.before = await t.store.schema.status();
      t.first = await t.store.schema.migrate();
    });
    afterEach(async () => {
      await t.store.close();
    });

    for (const [repository, section] of Object.entries(STORE_SECTIONS)) describe(repository, () => section(t));
  });
}
