import { validateConfig } from '../src/config/index.js';
import { buildDetection, detectWithVerdicts, PipelineMetrics } from '../src/pipeline/index.js';
import { toHttpEvent, verdictDetection } from '../src/ingest/index.js';
import { sensorEventSchema } from '../src/api/routes/ingest-schema.js';
import { openStore } from '../src/store/index.js';
import { insertRequests } from '../src/store/request-repository.js';
import { insertThreats } from '../src/store/threat-repository.js';
import { upsertRollups } from '../src/store/rollup-repository.js';
import { insertApiEvents } from '../src/store/api-event-repository.js';
import { aggregate, DEFAULT_ROLLUP_LIMITS } from '../src/store/rollups.js';
import { createTestSchema } from '../src/store/testing/postgres.js';
const T = Date.now();
const schema = sensorEventSchema(() => T);
const TT = ['sqli', 'xss', 'scan', 'brute_force', 'rce', 'bot'];
const { engine } = buildDetection(validateConfig({}), undefined, { site: false });
const store = await openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', schema: (await createTestSchema('postgres://postgres@127.0.0.1:5432/test', 'probe')).schema });
for (let round = 0; round < 4; round++) {
  const raw = Array.from({ length: 10000 }, (_, i) => ({ source_ip: `100.64.${(i >> 8) & 255}.${i & 255}`, destination_ip: '10.0.0.10', threat_type: TT[i % 6], severity: 1 + (i % 10), confidence: 0.8, host: 'shop.example', path: `/products/${i % 5000}?ref=sensor`, method: 'GET', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', tags: ['bench'] }));
  const evs = raw.map((p) => schema.parse(p));
  const events = evs.map((e) => toHttpEvent(e, T));
  const verdicts = evs.map((e) => (e.verdict ? verdictDetection(e.verdict) : null));
  const prepared = detectWithVerdicts({ sourceId: 'x', events, checkpoints: [] }, verdicts, { evaluator: engine, metrics: new PipelineMetrics() });
  const w = prepared.write;
  const times: Record<string, number> = {};
  await store.sql.transaction(async (tx) => {
    let t = performance.now();
    await tx.query('SET LOCAL synchronous_commit = off');
    const nr = await insertRequests(tx, w.events); times.requests = performance.now() - t; t = performance.now();
    const nt = await insertThreats(tx, w.threats); times.threats = performance.now() - t; t = performance.now();
    await insertApiEvents(tx, evs.map((e, i) => ({ id: events[i]!.id, time: T, eventId: null, destinationIp: e.destinationIp, tags: e.tags, receivedAt: T }))); times.api = performance.now() - t; t = performance.now();
    const agg = aggregate(nr, nt, DEFAULT_ROLLUP_LIMITS); times.aggregate = performance.now() - t; t = performance.now();
    await upsertRollups(tx, agg); times.rollups = performance.now() - t;
  });
  console.log(JSON.stringify(times, (_k, v) => (typeof v === 'number' ? Math.round(v) : v)));
}
await store.close();
