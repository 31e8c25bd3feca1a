/**
 * `rampart analyze`: the live pipeline run as a batch over files (plain, .gz, or - for stdin),
 * storing nothing unless --store. This is also how a day of logs is replayed for forensics.
 */
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import pino from 'pino';
import { FileReadSource } from '../ingest/index.js';
import {
  geoAnnotator,
  buildDetection,
  buildIngest,
  storeOptions,
  PipelineMetrics,
  flushWindows,
  runSource,
  type Sink,
  BadLineSampler,
} from '../pipeline/index.js';
import { cliCache } from './cache.js';
import type { ThreatEvent } from '../core/index.js';
import { IpIncidents, type IpVerdict } from '../detect/index.js';
import { AnalyzeSummary, ipVerdictJsonLine, threatJsonLine } from './analyze-summary.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

const OUTPUTS = ['text', 'json', 'jsonl'] as const;
/** Inputs smaller than this finish before a progress bar would be worth drawing. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

interface AnalyzeFlags extends CommonFlags {
  output: string;
  store?: boolean;
  progress: boolean;
  geo: boolean;
}

export function registerAnalyze(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('analyze')
    .description('run the detection pipeline over log files (.gz too, - for stdin) and print a summary')
    .argument('<files...>', 'log files; - reads stdin')
    .option('-o, --output <kind>', `output: ${OUTPUTS.join(', ')} (jsonl: one object per flagged line, then one per flagged IP)`, 'text')
    .option('--store', 'also write events and threats to the store (embedded or DATABASE_URL)')
    .option('--no-progress', 'never draw a progress bar')
    .option('--no-geo', 'skip GeoIP/ASN on flagged lines (used only by --output jsonl and --store)');
  addConfigFlag(cmd);
  addFormatFlags(cmd);
  addStoreFlags(cmd);
  cmd.action(async (files: string[], flags: AnalyzeFlags) => {
    if (!(OUTPUTS as readonly string[]).includes(flags.output)) {
      io.err(`rampart analyze: --output must be one of ${OUTPUTS.join(', ')}, got ${JSON.stringify(flags.output)}\n`);
      setExit(2);
      return;
    }
    const { config } = loadWithFlags(flags, io);
    const logger = pino({ level: config.log.level === 'info' ? 'warn' : config.log.level }, pino.destination(2));
    const ingest = buildIngest(config);
    // Site knowledge judges a file on the whole log: hits it may overrule wait for the end of the run.
    const detection = buildDetection(config, undefined, { ruleCache: cliCache(io), site: { holdMs: Infinity } });
    const metrics = new PipelineMetrics();
    const summary = new AnalyzeSummary();
    // An IP evicted from the bounded incident table is final: report it now rather than lose it.
    const reportIp = (v: IpVerdict) => {
      if (!v.flagged) return;
      summary.ipsFlagged++;
      if (flags.output === 'jsonl') io.out(ipVerdictJsonLine(v) + '\n');
    };
    const incidents = new IpIncidents({}, reportIp);
    // The store and enrichment modules (PGlite/pg, providers over undici) load only when used.
    const store = flags.store
      ? await (await import('../store/index.js')).openStore({ ...storeOptions(config), logger })
      : null;
    if (store) await store.migrate();
    const sink: Sink = store ?? { write: async () => {} };
    // Only the local GeoIP/ASN lookups, and only where their answer goes somewhere (JSON lines, the
    // store): opening them costs a second and over 100 MB at peak, and analyze never calls a provider.
    const wantGeo = flags.geo && (flags.output === 'jsonl' || flags.store === true);
    const enrichment = wantGeo
      ? await (await import('../enrich/index.js')).createEnrichment(
          { ...config.enrich, geoip: { ...config.enrich.geoip, online: { ...config.enrich.geoip.online, enabled: false } } },
          { onWarning: (m) => logger.warn(m), diskCache: cliCache(io) }, // no redisUrl: in-process state
        )
      : null;
    const annotate = enrichment?.geoLocal ? geoAnnotator(enrichment.geoLocal) : undefined;

    let bar: SingleBar | null = null;
    // The bar's module (about 20 ms to import) only where a bar can be drawn.
    const Bar = flags.progress && io.isTTY ? (await import('cli-progress')).SingleBar : null;
    const source = new FileReadSource({
      id: 'analyze',
      inputs: files,
      stdin: io.stdin as import('node:stream').Readable,
      batchLines: config.ingest.batchLines,
      onProgress: (p) => {
        if (Bar === null || p.totalBytes === null || p.totalBytes < PROGRESS_MIN_BYTES) return;
        if (!bar) {
          bar = new Bar({
            format: 'analyze [{bar}] {percentage}% | {lines} lines | eta {eta}s',
            stream: process.stderr,
          });
          bar.start(p.totalBytes, 0, { lines: 0 });
        }
        bar.update(p.bytesRead, { lines: p.lines });
      },
    });
    const report = (threats: readonly ThreatEvent[]) => {
      summary.add(threats);
      incidents.add(threats);
      if (flags.output === 'jsonl') {
        let chunk = '';
        for (const t of threats) if (t.score > 0) chunk += threatJsonLine(t) + '\n';
        if (chunk) io.out(chunk);
      }
    };
    const started = performance.now();
    try {
      await runSource(source, {
        format: ingest.format,
        normalise: ingest.normalise,
        // Without a store nothing keeps IP windows: evaluate only, so they are not built just to be dropped.
        evaluator: store ? detection.engine : { evaluate: (events) => detection.engine.evaluate(events) },
        sink,
        metrics,
        sampler: new BadLineSampler(logger),
        ...(annotate ? { annotate } : {}),
        onStored: report,
      }, { onError: (err) => { throw err; } });
      // Hits site knowledge held back and did not overrule are probes after all: they count and print last.
      const late = detection.engine.releaseHeld();
      if (late.length > 0) {
        annotate?.(late);
        if (store) await store.write({ events: [], threats: late, checkpoints: [] });
        report(late);
      }
      // The replay's last windows are still open: close them and store them too.
      if (store) await flushWindows(store, detection.engine);
      // What the replay learned about each site replaces what was stored for it (serve restores it at start).
      const site = detection.engine.site;
      if (store && site) await new (await import('../store/index.js')).SiteKnowledgeRepository(store.sql).save(site.snapshot());
      for (const v of incidents.verdicts()) reportIp(v);
    } finally {
      (bar as SingleBar | null)?.stop();
      await store?.close();
      await enrichment?.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const snap = metrics.snapshot();
    if (flags.output === 'json') io.out(JSON.stringify(summary.toJSON(snap, seconds), null, 2) + '\n');
    else if (flags.output === 'text') io.out(summary.render(snap, seconds));
    else io.err(summary.render(snap, seconds));
  });
}
