/**
 * The command table: each command's name, the line `rampart --help` shows for it, and how to load
 * its module. Loading every command module costs about half a second (zod, Fastify, PGlite, the rule
 * engine...), so `main` imports only the module of the command being run, and the top-level help is
 * drawn from this table. A test checks the table against the modules' own registrations.
 */
import type { Command } from 'commander';
import type { CliIO } from './io.js';

export type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

export interface CommandEntry {
  name: string;
  /** As commander prints it in the command list: name, `[options]`, arguments. */
  term: string;
  description: string;
  load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    term: 'serve [options]',
    description: 'follow access logs, detect attacks, store them and serve the API',
    load: async () => (await import('./serve-command.js')).registerServe,
  },
  {
    name: 'analyze',
    term: 'analyze [options] <files...>',
    description: 'run the detection pipeline over log files (.gz too, - for stdin) and print a summary',
    load: async () => (await import('./analyze-command.js')).registerAnalyze,
  },
  {
    name: 'demo',
    term: 'demo [options]',
    description: 'write a simulated nginx access log: browsers, good bots, scanners, brute force, injections, a flood',
    load: async () => (await import('./demo-command.js')).registerDemo,
  },
  {
    name: 'explain',
    term: 'explain [options] <line>',
    description: 'show what each stage does with one log line: parse, client IP, normalisation, rules',
    load: async () => (await import('./explain-command.js')).registerExplain,
  },
  {
    name: 'rules',
    term: 'rules',
    description: 'list, test and explain the detection rules',
    load: async () => (await import('./rules-command.js')).registerRules,
  },
  {
    name: 'config',
    term: 'config [options]',
    description: 'print the effective configuration (flags > env > .env > config file > defaults), secrets masked',
    load: async () => (await import('./config-command.js')).registerConfig,
  },
  {
    name: 'migrate',
    term: 'migrate [options]',
    description: 'apply database migrations (embedded PGlite, or DATABASE_URL)',
    load: async () => (await import('./migrate-command.js')).registerMigrate,
  },
  {
    name: 'health',
    term: 'health [options]',
    description: 'ask a running Rampart whether it is ready (exit 0) or not (exit 1)',
    load: async () => (await import('./health-command.js')).registerHealth,
  },
  {
    name: 'status',
    term: 'status [options]',
    description: 'show pipeline counters of a running server: lines read, parsed, stored, lag; batches per output',
    load: async () => (await import('./status-command.js')).registerStatus,
  },
  {
    name: 'lookup',
    term: 'lookup [options] <iocs...>',
    description: 'look indicators up: GeoIP/ASN for addresses, AbuseIPDB, VirusTotal, OTX (with keys), risk score',
    load: async () => (await import('./lookup-command.js')).registerLookup,
  },
  {
    name: 'collector',
    term: 'collector [options]',
    description: 'enrich stored IOCs that are due (never enriched, or older than the TTL) in batches, until stopped',
    load: async () => (await import('./collector-command.js')).registerCollector,
  },
  {
    name: 'keys',
    term: 'keys',
    description: 'create, list and revoke API keys (only a hash of each key is stored)',
    load: async () => (await import('./keys-command.js')).registerKeys,
  },
  {
    name: 'notify',
    term: 'notify',
    description: 'send alerts to webhooks, Slack and e-mail: test a channel',
    load: async () => (await import('./notify-command.js')).registerNotify,
  },
  {
    name: 'decisions',
    term: 'decisions',
    description: 'list, add and delete decisions (bans, captchas, throttles) of a running server',
    load: async () => (await import('./decisions-command.js')).registerDecisions,
  },
  {
    name: 'bouncers',
    term: 'bouncers',
    description: 'register CrowdSec bouncers (keys for /v1/decisions) and see their last pull',
    load: async () => (await import('./decisions-command.js')).registerBouncers,
  },
];

/**
 * The command a command line runs: its first operand (the program has no options of its own that
 * take a value), or the operand after `help`. Null for `rampart`, `rampart --help`, `rampart -V`.
 */
export function commandNameOf(args: readonly string[]): string | null {
  const operands = args.filter((a) => !a.startsWith('-'));
  const first = operands[0];
  if (first === undefined) return null;
  if (first === 'help') return operands[1] ?? null;
  return first;
}
