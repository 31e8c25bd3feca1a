/**
 * `rampart rules list | test [file…] | explain <request>`: the rule packs as a user sees them —
 * what is loaded, whether every rule's own examples still hold, and why a request does or does not fire.
 */
import type { Command } from 'commander';
import {
  bundledRulePaths,
  explainRequest,
  loadRulePacks,
  RuleEngine,
  runRuleExamples,
  type EventLike,
} from '../detect/index.js';
import { buildDetection } from '../pipeline/index.js';
import { loadedRuleIds, notApplicableIds } from '../runtime/index.analyze.js';
import { cliCache } from './cache.js';
import { addConfigFlag, addFormatFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

export function registerRules(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const rules = program.command('rules').description('list, test and explain the detection rules');
  const packs = (extra: string[] | undefined) => [...bundledRulePaths(), ...(extra ?? [])];

  rules
    .command('list')
    .description('list loaded rules: id, category, severity, mode, source pack')
    .option('--rules <file...>', 'extra rule pack files to load after the bundled ones')
    .option('--json', 'print JSON')
    .action((opts: { rules?: string[]; json?: boolean }) => {
      const set = loadRulePacks(packs(opts.rules));
      if (opts.json) {
        io.out(
          JSON.stringify(
            set.rules.map((r) => ({ id: r.id, name: r.name, category: r.category, severity: r.severity, confidence: r.confidence, simulated: r.simulated, tags: r.tags, source: r.source })),
            null,
            2,
          ) + '\n',
        );
        return;
      }
      const w = Math.max(...set.rules.map((r) => r.id.length));
      for (const r of set.rules) {
        io.out(`${r.id.padEnd(w)}  ${r.category.padEnd(15)} ${r.severity.padEnd(8)} ${r.simulated ? 'simulation' : 'active    '}  ${r.name}\n`);
      }
      io.out(`${set.rules.length} rules from ${set.files.length} packs\n`);
    });

  const applicability = rules
    .command('applicability')
    .description('which loaded rules and behaviour scenarios the configured log format cannot feed (a JA4 scenario on a log without JA4), and why')
    .option('--json', 'print JSON');
  addConfigFlag(applicability);
  addFormatFlags(applicability);
  applicability.action((flags: CommonFlags & { json?: boolean }) => {
    const { config } = loadWithFlags(flags, io);
    const detectors = buildDetection(config, undefined, { ruleCache: cliCache(io), site: false }).engine.detectors;
    const loaded = new Set(loadedRuleIds(detectors)).size;
    const na = notApplicableIds(detectors, config);
    const format = config.ingest.logFormat !== undefined ? 'custom log_format' : config.ingest.format;
    if (flags.json) {
      io.out(JSON.stringify({ format, loaded, not_applicable: na.map((n) => ({ rule_id: n.id, reason: n.reason })) }, null, 2) + '\n');
      return;
    }
    const w = Math.max(0, ...na.map((n) => n.id.length));
    for (const n of na) io.out(`not applicable  ${n.id.padEnd(w)}  ${n.reason}\n`);
    io.out(`${loaded} rules and scenarios loaded, ${na.length} not applicable to log format ${format}\n`);
  });

  rules
    .command('test')
    .description("run every rule's own match and no_match examples; exit 1 on any failure")
    .argument('[files...]', 'rule pack files (default: the bundled packs)')
    .action((files: string[]) => {
      const set = loadRulePacks(files.length > 0 ? files : bundledRulePaths());
      const report = runRuleExamples(set);
      for (const f of report.failures) {
        io.out(`FAIL ${f.ruleId} (${f.source}): expected ${f.expected === 'match' ? 'a match' : 'no match'} on ${JSON.stringify(f.example)}\n`);
      }
      io.out(`${report.rules} rules, ${report.examples} examples, ${report.failures.length} failures\n`);
      setExit(report.failures.length === 0 ? 0 : 1);
    });

  rules
    .command('explain')
    .description('show normalisation steps and which rules fire on a request line or URL')
    .argument('<request>', "a request line ('GET /a?b=1 HTTP/1.1'), a path ('/a?b=1') or a URL")
    .option('--user-agent <ua>', 'user agent to include')
    .option('--rules <file...>', 'extra rule pack files to load after the bundled ones')
    .action((request: string, opts: { userAgent?: string; rules?: string[] }) => {
      const engine = new RuleEngine(loadRulePacks(packs(opts.rules)));
      const event = requestFromText(request, opts.userAgent ?? null);
      const fired = new Set<string>();
      for (const step of explainRequest(engine, event)) {
        const changed = step.views.filter((v) => v.applied.length > 0);
        if (changed.length === 0 && step.fired.length === 0 && step.candidates.length === 0) continue;
        io.out(`${step.field}: ${JSON.stringify(step.raw)}\n`);
        for (const v of changed) io.out(`  ${v.applied.join(' → ')}: ${JSON.stringify(v.value)}${v.traversal ? '  (traversal seen)' : ''}\n`);
        if (step.candidates.length) io.out(`  prefilter candidates: ${step.candidates.join(', ')}\n`);
        for (const f of step.fired) {
          io.out(`  FIRED ${f.ruleId} on ${JSON.stringify(f.fragment)}\n`);
          fired.add(f.ruleId);
        }
      }
      io.out(fired.size ? `fired: ${[...fired].join(', ')}\n` : 'no rule fired\n');
    });
}

/** A request line, a bare path with query, or an absolute URL → the fields rules look at. */
export function requestFromText(text: string, userAgent: string | null): EventLike {
  let method = 'GET';
  let target = text.trim();
  const parts = target.split(' ');
  if (parts.length >= 2 && /^[A-Z]{3,10}$/.test(parts[0]!)) {
    method = parts[0]!;
    target = parts[1]!;
  }
  let host: string | null = null;
  if (/^https?:\/\//i.test(target)) {
    const scheme = target.indexOf('//') + 2;
    const slash = target.indexOf('/', scheme);
    host = target.slice(scheme, slash < 0 ? undefined : slash);
    target = slash < 0 ? '/' : target.slice(slash);
  }
  const q = target.indexOf('?');
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    status: 200,
    userAgent,
    referer: null,
    host,
    headers: null,
  };
}
