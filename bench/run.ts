/**
 * `npm run bench`: every benchmark, on compiled code (tsx's module wrapping distorts hot loops), one
 * after the other so they do not compete for the two cores. Figures go to stdout and to
 * .bench/results.json; docs/benchmarks.md records them with the machine and the command.
 * Pick a subset with `npm run bench -- parse analyze` (names: startup, parse, rules, behaviour, store, analyze, serve, enrich, ingest, soc, live, metrics, auth, notify, decisions).
 * `soc` (the SOC API over 10 M seeded requests in PostgreSQL) runs only when asked by name: its seeding takes minutes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benignLog, demoLog, distinctIpLog, BENCH_DIR, BENCH_LINES } from './inputs.js';
import { runParseBench } from './parse.js';
import { runCodecBench } from './event-codec.js';
import { benchRules } from './detect-rules.js';
import { runBehaviourBench } from './detect-behaviour.js';
import { runStoreBench } from './store.js';
import { runEnrichBench } from './enrich.js';
import { runIngestBench } from './ingest.js';
import { runMetricsBench } from './metrics-http.js';
import { runAuthBench } from './auth.js';
import { runDecisionsBench } from './decisions.js';
import { runStartupBench } from './startup.js';
import { runSocApiBench } from './soc-api.js';
import { benchAnalyze, benchServe } from './pipeline.js';
import { runLiveAlertsBench } from './live-alerts.js';
import { runNotifyBench } from './notify.js';
import { repoRoot } from './root.js';

const ALL = ['startup', 'parse', 'rules', 'behaviour', 'store', 'analyze', 'serve', 'enrich', 'ingest', 'soc', 'live', 'metrics', 'auth', 'notify', 'decisions'] as const;
/** Run only when named: `npm run bench -- soc`. */
const ON_REQUEST: readonly BenchName[] = ['soc'];
type BenchName = (typeof ALL)[number];

/** analyze over 1 M lines from 1 M distinct clients, all of them tracked (none evicted). */
async function benchDistinctIps(): Promise<unknown> {
  const log = distinctIpLog();
  if (log === null) return { skipped: '../shared/data is absent' };
  const config = join(BENCH_DIR, 'track-1m.yaml');
  writeFileSync(config, 'detect:\n  behaviour:\n    maxTrackedIps: 1000000\n');
  return benchAnalyze(log, ['--config', config]);
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => (ALL as readonly string[]).includes(a)) as BenchName[];
  const selected = new Set<BenchName>(asked.length ? asked : ALL.filter((n) => !ON_REQUEST.includes(n)));
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    at: new Date().toISOString(),
    lines: BENCH_LINES,
  };
  const step = async (name: BenchName, fn: () => unknown) => {
    if (!selected.has(name)) return;
    console.error(`== ${name}`);
    const t0 = performance.now();
    results[name] = await fn();
    console.log(JSON.stringify({ [name]: results[name] }, null, 2));
    console.error(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };

  await step('startup', () => runStartupBench());
  await step('parse', async () => {
    const benign = benignLog();
    return { ...runParseBench({ lines: BENCH_LINES }), threadCrossing: benign ? await runCodecBench(benign) : { skipped: '../shared/data is absent' } };
  });
  await step('rules', () => benchRules());
  await step('behaviour', () => runBehaviourBench());
  await step('store', () => runStoreBench());
  await step('analyze', async () => {
    const benign = benignLog();
    const demo = await demoLog();
    return {
      benign: benign ? await benchAnalyze(benign) : { skipped: '../shared/data is absent' },
      // The same on one thread (parse beside detect): what the parse thread buys, and costs in CPU and memory.
      benignOneThread: benign ? await benchAnalyze(benign, [], { RAMPART_PARSE_THREAD: '0' }) : { skipped: '../shared/data is absent' },
      simulator: await benchAnalyze(demo),
      distinctIps: await benchDistinctIps(),
    };
  });
  await step('serve', async () => {
    const benign = benignLog();
    return benign ? benchServe(benign, BENCH_LINES) : { skipped: '../shared/data is absent' };
  });
  await step('enrich', () => runEnrichBench());
  await step('ingest', () => runIngestBench());
  await step('soc', () => runSocApiBench());
  await step('live', () => runLiveAlertsBench());
  await step('metrics', () => runMetricsBench());
  await step('auth', () => runAuthBench());
  await step('notify', () => runNotifyBench());
  await step('decisions', () => runDecisionsBench());

  const dir = join(repoRoot(), '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.error(`figures written to ${join(dir, 'results.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
