/**
 * `rampart analyze` assembled: the pipeline run as a batch over files (plain, .gz, or - for stdin),
 * storing nothing unless asked. The CLI parses flags and renders; this runs the lines.
 */
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { DiskCache, ThreatEvent } from '../core/index.js';
import { IpIncidents, PrecomputedDetector, TokeniserDetector, tokeniserDetector, type IpVerdict } from '../detect/index.js';
import { FileReadSource, type ReadProgress, type Source } from '../ingest/index.js';
import type { BotVerification, DnsResolver } from '../enrich/index.js';
import {
  BadLineSampler,
  buildDetection,
  buildIngest,
  flushWindows,
  geoAnnotator,
  PipelineMetrics,
  runEventBatches,
  runSource,
  storeOptions,
  type IngestParts,
  type PipelineDeps,
  type Sink,
} from '../pipeline/index.js';
import { startParseThread, parseThreadWanted, type ParseThread } from './parse-thread.js';
import { AnalyzeSummary, ipVerdictJsonLine, threatJsonLine, type LineTotals } from './analyze-summary.js';

export type AnalyzeOutput = 'text' | 'json' | 'jsonl';

/** The counters' source id of every analyze input. */
const SOURCE_ID = 'analyze';

export interface AnalyzeOptions {
  config: Config;
  /** File paths; `-` reads `stdin`. */
  files: string[];
  stdin: Readable;
  output: AnalyzeOutput;
  /** Also write events and threats to the configured store. */
  store: boolean;
  /** GeoIP/ASN on flagged lines (used only by jsonl and the store). */
  geo: boolean;
  /** Rule-pack and ASN caches. */
  cache: DiskCache;
  /** Receives the JSON lines of `--output jsonl`. */
  write: (text: string) => void;
  /** Told of each batch read (a progress bar). */
  onProgress?: (p: ReadProgress) => void;
  /**
   * Verify good-bot claims by forward-confirmed reverse DNS (`--verify-bots`), as `serve` does with
   * goodBots.verifyDns. Off by default: analyze then sends no DNS query and its result depends on the log alone.
   */
  verifyBots?: boolean;
  /** Resolver for those look-ups (tests); default the system's. */
  resolver?: DnsResolver;
  /**
   * Read and parse on a worker thread while this one detects (parse-thread.ts): same results, faster on a large input.
   * Default: parseThreadWanted (by input size; RAMPART_PARSE_THREAD=0/1 decides instead).
   */
  parseThread?: boolean;
}

export interface AnalyzeResult {
  summary: AnalyzeSummary;
  totals: LineTotals;
  seconds: number;
}

export async function analyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const { config } = opts;
  const logger = lazyLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  // A bad format or time zone fails here, before a worker starts.
  const ingest = buildIngest(config);
  const metrics = new PipelineMetrics();
  const warn = (obj: object, msg: string): void => logger().warn(obj, msg);
  // A large input is read and parsed on a worker thread while this one detects (parse-thread.ts); started first, so
  // its start overlaps building the detection stage.
  const threaded = opts.parseThread ?? parseThreadWanted(opts.files, process.env);
  // The tokenisers then run in the worker too: they are pure per event, and detection is the slower of the two threads.
  const tokens = threaded ? new PrecomputedDetector('tokens', tokeniserDetector().ruleIds()) : null;
  // The run's clock starts when lines start to be read: here for the worker, after the set-up otherwise.
  const readFrom = performance.now();
  const parseThread: ParseThread | null = tokens
    ? startParseThread({
        tokens,
        config,
        inputs: opts.files,
        stdin: opts.stdin,
        sourceId: SOURCE_ID,
        batchLines: config.ingest.batchLines,
        metrics,
        warn,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      })
    : null;
  try {
    return await analyzeWith(opts, { ingest, parseThread, tokens, metrics, logger, warn, readFrom: parseThread ? readFrom : null });
  } finally {
    await parseThread?.stop();
  }
}

interface RunParts {
  ingest: IngestParts;
  parseThread: ParseThread | null;
  tokens: PrecomputedDetector | null;
  metrics: PipelineMetrics;
  logger: () => Logger;
  warn: (obj: object, msg: string) => void;
  /** When the parse worker started reading (null: lines are read on this thread, from the run's start). */
  readFrom: number | null;
}

async function analyzeWith(opts: AnalyzeOptions, { ingest, parseThread, tokens, metrics, logger, warn, readFrom }: RunParts): Promise<AnalyzeResult> {
  const { config, output } = opts;
  // Site knowledge judges a file on the whole log: hits it may overrule wait for the end of the run.
  const detection = buildDetection(opts.verifyBots ? withBotDns(config) : config, undefined, {
    ruleCache: opts.cache,
    site: { holdMs: Infinity },
    ...(opts.verifyBots ? { botDns: true, ...(opts.resolver ? { resolver: opts.resolver } : {}) } : {}),
  });
  if (tokens) {
    const real = detection.engine.detectors.find((d) => d instanceof TokeniserDetector);
    if (real) detection.engine.replaceDetector(real, tokens);
  }
  const summary = new AnalyzeSummary();
  // An IP evicted from the bounded incident table is final: report it now rather than lose it.
  const reportIp = (v: IpVerdict) => {
    if (!v.flagged) return;
    summary.ipsFlagged++;
    if (output === 'jsonl') opts.write(ipVerdictJsonLine(v) + '\n');
  };
  const incidents = new IpIncidents({}, reportIp);
  // The store and enrichment modules (PGlite/pg, providers over undici) load only when used.
  const store = opts.store ? await (await import('../store/index.js')).openStore({ ...storeOptions(config), logger: logger() }) : null;
  if (store) await store.schema.migrate();
  const sink: Sink = store?.writer ?? { write: async () => {} };
  // Only the local GeoIP/ASN lookups, and only where their answer goes somewhere (JSON lines, the
  // store): opening them costs a second and over 100 MB at peak, and analyze never calls a provider.
  const wantGeo = opts.geo && (output === 'jsonl' || opts.store);
  const enrichment = wantGeo
    ? await (await import('../enrich/index.js')).createEnrichment(
        { ...config.enrich, geoip: { ...config.enrich.geoip, online: { ...config.enrich.geoip.online, enabled: false } } },
        { onWarning: (m) => logger().warn(m), diskCache: opts.cache }, // no redisUrl: in-process state
      )
    : null;
  const annotate = enrichment?.geoLocal ? geoAnnotator(enrichment.geoLocal) : undefined;
  const untilBotVerdicts = detection.botVerification ? afterEach(detection.botVerification) : null;
  const report = (threats: readonly ThreatEvent[]) => {
    summary.add(threats);
    incidents.add(threats);
    if (output === 'jsonl') {
      let chunk = '';
      for (const t of threats) if (t.score > 0) chunk += threatJsonLine(t) + '\n';
      if (chunk) opts.write(chunk);
    }
  };
  const started = readFrom ?? performance.now();
  try {
    const deps: PipelineDeps = {
      format: ingest.format,
      normalise: ingest.normalise,
      // Without a store nothing keeps IP windows: evaluate only, so they are not built just to be dropped.
      evaluator: store ? detection.engine : { evaluate: (events) => detection.engine.evaluate(events) },
      sink,
      metrics,
      sampler: new BadLineSampler({ warn }),
      ...(annotate ? { annotate } : {}),
      onStored: report,
    };
    const failFast = {
      onError: (err: unknown) => {
        throw err;
      },
    };
    if (parseThread) {
      const batches = parseThread.batches();
      await runEventBatches(untilBotVerdicts ? untilBotVerdicts(batches) : batches, deps, failFast);
    } else {
      const read = new FileReadSource({
        id: SOURCE_ID,
        inputs: opts.files,
        stdin: opts.stdin,
        batchLines: config.ingest.batchLines,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const source: Source = untilBotVerdicts ? { id: read.id, stop: () => read.stop(), batches: () => untilBotVerdicts(read.batches()) } : read;
      await runSource(source, deps, failFast);
    }
    // Hits site knowledge held back and did not overrule are probes after all: they count and print last.
    const late = detection.engine.releaseHeld();
    if (late.length > 0) {
      annotate?.(late);
      if (store) await store.writer.write({ events: [], threats: late, checkpoints: [] });
      report(late);
    }
    // The replay's last windows are still open: close them and store them too.
    if (store) await flushWindows(store.writer, detection.engine);
    // What the replay learned about each site replaces what was stored for it (serve restores it at start).
    const site = detection.engine.site;
    if (store && site) await store.siteKnowledge.save(site.snapshot());
    for (const v of incidents.verdicts()) reportIp(v);
  } finally {
    await detection.botVerification?.close();
    await store?.close();
    await enrichment?.close();
  }
  return { summary, totals: metrics.snapshot().totals, seconds: (performance.now() - started) / 1000 };
}

/** The config with goodBots.verifyDns on: `--verify-bots` asks for it whatever the config file says. */
function withBotDns(config: Config): Config {
  const behaviour = config.detect.behaviour;
  return { ...config, detect: { ...config.detect, behaviour: { ...behaviour, goodBots: { ...behaviour.goodBots, verifyDns: true } } } };
}

/**
 * A replay reads faster than DNS answers: before each batch, wait until the look-ups of the claims seen so far have
 * answered (each within goodBots.dns.timeoutMs), so a bot's later requests meet its verdict as they would live. A
 * bot's requests in the batch where it first shows are judged on its claim alone, as live before the answer.
 */
function afterEach(verification: BotVerification) {
  return async function* <T>(batches: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const batch of batches) {
      await verification.scheduler.idle();
      yield batch;
    }
  };
}

/**
 * The run's logger, made on first use: pino takes about 45 ms to import, and a clean file logs nothing
 * (bad-line samples, GeoIP warnings and the store are what log). pino is CommonJS, so it can be
 * required at that moment without making the callers asynchronous.
 */
function lazyLogger(level: string): () => Logger {
  let logger: Logger | null = null;
  return () => {
    if (logger === null) {
      const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;
      logger = pino({ level }, pino.destination(2));
    }
    return logger;
  };
}
