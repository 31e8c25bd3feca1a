/**
 * `rampart explain '<log line>'`: what each stage does with one line — the parsed fields, the client
 * IP chosen, the normalised request, the normalisation steps, the rules that fire, and (with --store) what
 * the site knowledge serve stored says about the path.
 */
import type { Command } from 'commander';
import type { Detection, HttpEvent } from '../core/index.js';
import { explainRequest, scoreDetections, type ContentVerdict, type SiteKnowledge } from '../detect/index.js';
import type { RawLine } from '../ingest/index.js';
import { buildDetection, buildIngest, storeOptions } from '../pipeline/index.js';
import { cliCache } from './cache.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

export function registerExplain(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('explain')
    .description('show what each stage does with one log line: parse, client IP, normalisation, rules')
    .argument('<line>', 'one access-log line (quote it)')
    .option('--json', 'print JSON')
    .option('--store', "consult the site knowledge serve (or analyze --store) kept in the store: is the path the site's content?");
  addConfigFlag(cmd);
  addFormatFlags(cmd);
  addStoreFlags(cmd);
  cmd.action(async (text: string, flags: CommonFlags & { json?: boolean; store?: boolean }) => {
    const { config } = loadWithFlags(flags, io);
    const ingest = buildIngest(config);
    const detection = buildDetection(config, undefined, { ruleCache: cliCache(io) });
    const line: RawLine = {
      text,
      key: 'explain:0',
      origin: { kind: 'file', source: '(command line)', offset: 0, line: 1 },
    };
    const parsed = ingest.format.parse(text);
    if (!parsed.ok) {
      io.out(`format   ${ingest.format.name}\nparse    failed: ${parsed.reason}\n`);
      setExit(1);
      return;
    }
    const event = ingest.normalise(parsed.record, line);
    if ('error' in event) {
      io.out(`format   ${ingest.format.name}\nnormalise failed: ${event.error}\n`);
      setExit(1);
      return;
    }
    const steps = explainRequest(detection.rules.engine, event);
    const [fired = []] = detection.rules.detect([event], undefined);
    const site = flags.store ? await consultSite(detection.engine.site, config) : null;
    const knowledge = site ? siteSays(site, event, fired) : null;
    const detections = knowledge?.detections ?? fired;
    const verdict = scoreDetections(detections);
    if (flags.json) {
      const siteJson = knowledge ? { verdict: knowledge.verdict, overruled: knowledge.overruled } : null;
      io.out(JSON.stringify({ format: ingest.format.name, record: parsed.record, event, steps, detections, site: siteJson, verdict }, null, 2) + '\n');
      return;
    }
    io.out(render(ingest.format.name, parsed.record, event, ingest.trusted !== null, steps, detections, verdict, knowledge));
  });
}

/** Site knowledge restored from the store (the store module loads only here). */
async function consultSite(site: SiteKnowledge | null, config: Parameters<typeof storeOptions>[0]): Promise<SiteKnowledge | null> {
  if (site === null) return null;
  const { openStore } = await import('../store/index.js');
  const store = await openStore({ ...storeOptions(config) });
  try {
    site.restore(await store.siteKnowledge.load());
  } finally {
    await store.close();
  }
  return site;
}

interface SiteSays {
  /** What the stored knowledge says about the path before this line; null when it has no evidence for it. */
  verdict: ContentVerdict | null;
  /** Rules whose detection the knowledge overruled on this line. */
  overruled: string[];
  detections: Detection[];
}

function siteSays(site: SiteKnowledge, event: HttpEvent, fired: Detection[]): SiteSays {
  const verdict = site.verdict(event.host, event.path);
  const { detections } = site.review(event, fired);
  const kept = new Set(detections.map((d) => d.ruleId));
  return { verdict, overruled: fired.filter((d) => !kept.has(d.ruleId)).map((d) => d.ruleId), detections };
}

function render(
  format: string,
  record: object,
  event: HttpEvent,
  trustedConfigured: boolean,
  steps: ReturnType<typeof explainRequest>,
  detections: readonly Detection[],
  verdict: ReturnType<typeof scoreDetections>,
  site: SiteSays | null,
): string {
  const out: string[] = [];
  out.push(`1. parse (${format})`);
  for (const [k, v] of Object.entries(record)) {
    if (v === null || v === undefined) continue;
    out.push(`   ${k.padEnd(14)} ${k === 'time' && typeof v === 'number' ? new Date(v).toISOString() : show(v)}`);
  }
  out.push('2. client IP');
  out.push(
    event.peerIp
      ? `   ${event.ip}  (from X-Forwarded-For; peer ${event.peerIp} is a trusted proxy)`
      : `   ${event.ip}  (${trustedConfigured ? 'peer is not a trusted proxy, X-Forwarded-For ignored' : 'the peer; no trusted proxies configured'})`,
  );
  out.push('3. normalised request');
  out.push(`   ${event.method} path=${show(event.path)} query=${show(event.query)} status=${event.status} time=${new Date(event.time).toISOString()}`);
  out.push('4. normalisation and rules per field');
  for (const s of steps) {
    const changed = s.views.filter((v) => v.applied.length > 0);
    if (changed.length === 0 && s.fired.length === 0 && s.candidates.length === 0) continue;
    out.push(`   ${s.field}: ${show(s.raw)}`);
    for (const v of changed) out.push(`     ${v.applied.join(' → ')}: ${show(v.value)}${v.traversal ? '  (traversal seen)' : ''}`);
    if (s.candidates.length) out.push(`     literal prefilter candidates: ${s.candidates.join(', ')}`);
    for (const f of s.fired) out.push(`     FIRED ${f.ruleId} on ${show(f.fragment)}`);
  }
  if (site) {
    out.push('5. site knowledge');
    out.push(`   ${site.verdict ? site.verdict.reason : 'no evidence stored for this path'}`);
    for (const id of site.overruled) out.push(`   overruled ${id}: the path is the site's content, not a probe`);
  }
  out.push(`${site ? 6 : 5}. verdict`);
  if (detections.length === 0 && (site?.overruled.length ?? 0) > 0) out.push('   nothing left: site knowledge overruled every rule that fired');
  else if (detections.length === 0) out.push('   no rule fired (per-IP behaviour needs a stream of lines: use analyze)');
  for (const d of detections)
    out.push(`   ${d.ruleId}  ${d.category}/${d.severity} confidence ${d.confidence} field ${d.field}${d.simulated ? ' (simulation)' : ''}`);
  if (detections.length) out.push(`   score ${verdict.score.toFixed(3)}, severity ${verdict.severity}, category ${verdict.category}`);
  return out.join('\n') + '\n';
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return JSON.stringify(s.length > 300 ? s.slice(0, 300) + '…' : s);
}
