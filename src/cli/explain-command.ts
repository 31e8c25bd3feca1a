/**
 * `rampart explain '<log line>'`: what each stage does with one line — the parsed fields, the client
 * IP chosen, the normalised request, the normalisation steps, the rules that fire, and (with --store) what
 * the site knowledge serve stored says about the path.
 */
import type { Command } from 'commander';
import type { Detection, HttpEvent } from '../core/index.js';
import type { explainRequest, scoreDetections } from '../detect/index.js';
import { explainLine, type SiteSays } from '../runtime/index.explain.js';
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
    const x = await explainLine(config, text, { ruleCache: cliCache(io), store: flags.store === true });
    if (x.failed !== null) {
      io.out(`format   ${x.format}\n${x.failed === 'parse' ? 'parse    ' : 'normalise '}failed: ${x.reason}\n`);
      setExit(1);
      return;
    }
    const { format, record, event, steps, detections, site, verdict } = x;
    if (flags.json) {
      const siteJson = site ? { verdict: site.verdict, overruled: site.overruled } : null;
      io.out(JSON.stringify({ format, record, event, steps, detections, site: siteJson, verdict }, null, 2) + '\n');
      return;
    }
    io.out(render(format, record, event, x.trustedConfigured, steps, detections, verdict, site));
  });
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
