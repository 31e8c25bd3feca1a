/**
 * `rampart decisions list|add|delete` and `rampart bouncers add|list|delete`: decisions and bouncer keys of a
 * running server, through its API (/api/decisions, /api/bouncers; admin key to write, from --api-key or
 * RAMPART_API_KEY). A server that does not answer or refuses is a one-line message, never a stack trace.
 */
import type { Command } from 'commander';
import { BadRequestError, RampartError } from '../core/index.js';
import { apiKeyFrom, requestJson, serverUrl } from './http-client.js';
import type { CliIO } from './io.js';

interface ApiFlags {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

interface DecisionJson {
  id: number;
  until: string;
  duration: string;
  active: boolean;
  scope: string;
  value: string;
  type: string;
  origin: string;
  scenario: string;
  simulated: boolean;
  country: string | null;
}

interface BouncerJson {
  id: string;
  name: string;
  created_at: string;
  last_pull: string | null;
  user_agent: string | null;
  ip: string | null;
}

function apiOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'the server (default: env RAMPART_URL, else 127.0.0.1 on the configured port)')
    .option('--api-key <key>', 'API key (default: env RAMPART_API_KEY or API_KEY); admin to change anything')
    .option('--json', 'print JSON');
}

/** Calls the API; unreachable servers and refusals become errors that name the server and what it said. */
function client(flags: ApiFlags, io: CliIO) {
  const base = serverUrl(flags.url, io.env, io.cwd);
  const apiKey = apiKeyFrom(flags.apiKey, io.env, io.cwd);
  return async (method: string, path: string, expect: number, body?: unknown): Promise<unknown> => {
    let res: { status: number; body: unknown };
    try {
      res = await requestJson(`${base}${path}`, { method, apiKey, body });
    } catch (err) {
      throw new RampartError('store_unavailable', `cannot reach ${base}: ${err instanceof Error ? err.message : String(err)} (is rampart serve running? --url)`);
    }
    if (res.status !== expect) {
      const message = (res.body as { message?: string } | null)?.message ?? JSON.stringify(res.body).slice(0, 300);
      const hint = res.status === 401 ? ' (give a key: --api-key or RAMPART_API_KEY)' : res.status === 403 ? ' (this needs an admin key)' : '';
      throw new BadRequestError(`${base} answered ${res.status}: ${message}${hint}`);
    }
    return res.body;
  };
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}

export function formatDecisions(items: readonly DecisionJson[]): string {
  if (items.length === 0) return '(no decisions)\n';
  return table(
    ['id', 'scope:value', 'type', 'origin', 'scenario', 'expires', 'left'],
    items.map((d) => [String(d.id), `${d.scope}:${d.value}`, d.type + (d.simulated ? ' (simulated)' : ''), d.origin, d.scenario.slice(0, 60), d.until.slice(0, 19).replace('T', ' '), d.active ? d.duration : 'expired']),
  );
}

export function formatBouncers(items: readonly BouncerJson[]): string {
  if (items.length === 0) return '(no bouncers; rampart bouncers add NAME)\n';
  const at = (iso: string | null) => (iso === null ? 'never' : iso.slice(0, 19).replace('T', ' '));
  return table(
    ['name', 'id', 'created', 'last pull', 'type/version', 'ip'],
    items.map((b) => [b.name, b.id, at(b.created_at), at(b.last_pull), b.user_agent ?? '-', b.ip ?? '-']),
  );
}

/** The filter flags as a query string; `value` checks are the server's (it names the parameter). */
function filterQuery(flags: { ip?: string; range?: string; scenario?: string; origin?: string; id?: string }, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(extra);
  for (const k of ['ip', 'range', 'scenario', 'origin', 'id'] as const) if (flags[k] !== undefined) q.set(k, flags[k]);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function registerDecisions(program: Command, io: CliIO): void {
  const decisions = program.command('decisions').description('list, add and delete decisions (bans, captchas, throttles) of a running server');
  const filters = (cmd: Command) =>
    cmd
      .option('--ip <ip>', 'decisions covering this address')
      .option('--range <cidr>', 'decisions covering this range')
      .option('--scenario <scenario>', 'scenario, exact')
      .option('--origin <origin>', 'rampart (the policy) or manual');

  apiOptions(filters(decisions.command('list').description('active decisions, newest first')))
    .option('--all', 'include expired and deleted decisions still stored')
    .option('--simulated', 'only decisions simulated by a policy rule in simulate mode')
    .option('--limit <n>', 'rows (1-1000)', '100')
    .action(async (flags: ApiFlags & { ip?: string; range?: string; scenario?: string; origin?: string; all?: boolean; simulated?: boolean; limit: string }) => {
      const call = client(flags, io);
      const body = (await call('GET', `/api/decisions${filterQuery(flags, { limit: flags.limit, ...(flags.all ? { all: 'true' } : {}), ...(flags.simulated ? { simulated: 'true' } : {}) })}`, 200)) as { items: DecisionJson[] };
      io.out(flags.json ? JSON.stringify(body.items, null, 2) + '\n' : formatDecisions(body.items));
    });

  apiOptions(
    decisions
      .command('add')
      .description('add a decision (origin manual); bouncers get it at their next pull')
      .option('--ip <ip>', 'an address')
      .option('--range <cidr>', 'a CIDR range')
      .option('--type <type>', 'ban, captcha or throttle', 'ban')
      .option('--duration <duration>', 'e.g. 30m, 4h, 7d', '4h')
      .option('--reason <text>', 'the scenario bouncers see'),
  ).action(async (flags: ApiFlags & { ip?: string; range?: string; type: string; duration: string; reason?: string }) => {
    if ((flags.ip === undefined) === (flags.range === undefined)) throw new BadRequestError('rampart decisions add: give exactly one of --ip and --range');
    const call = client(flags, io);
    const body = { ...(flags.ip !== undefined ? { ip: flags.ip } : { range: flags.range }), type: flags.type, duration: flags.duration, ...(flags.reason !== undefined ? { reason: flags.reason } : {}) };
    const d = (await call('POST', '/api/decisions', 201, body)) as DecisionJson;
    io.out(flags.json ? JSON.stringify(d, null, 2) + '\n' : `added decision ${d.id}: ${d.type} ${d.scope}:${d.value} until ${d.until}\n`);
  });

  apiOptions(filters(decisions.command('delete').description('delete (expire now) the active decisions matching the filters'))).option('--id <id>', 'one decision by id').action(
    async (flags: ApiFlags & { ip?: string; range?: string; scenario?: string; origin?: string; id?: string }) => {
      const q = filterQuery(flags);
      if (q === '') throw new BadRequestError('rampart decisions delete: give at least one of --ip, --range, --scenario, --origin, --id');
      const call = client(flags, io);
      const body = (await call('DELETE', `/api/decisions${q}`, 200)) as { deleted: number };
      io.out(flags.json ? JSON.stringify(body) + '\n' : `deleted ${body.deleted} decision${body.deleted === 1 ? '' : 's'}\n`);
    },
  );
}

export function registerBouncers(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const bouncers = program.command('bouncers').description('register CrowdSec bouncers (keys for /v1/decisions) and see their last pull');
  apiOptions(bouncers.command('add').description('register a bouncer and print its key once').argument('<name>', "letters, digits, '.', '_', '@', '-'")).action(
    async (name: string, flags: ApiFlags) => {
      const made = (await client(flags, io)('POST', '/api/bouncers', 201, { name })) as BouncerJson & { key: string };
      if (flags.json) {
        io.out(JSON.stringify(made, null, 2) + '\n');
        return;
      }
      io.out(`${made.key}\n`);
      io.err(`rampart bouncers: added "${made.name}" (${made.id}). The key above is shown this once: put it in the bouncer's api_key, with api_url the server's address.\n`);
    },
  );
  apiOptions(bouncers.command('list').description('bouncers with their last pull, type/version and address')).action(async (flags: ApiFlags) => {
    const body = (await client(flags, io)('GET', '/api/bouncers', 200)) as { items: BouncerJson[] };
    io.out(flags.json ? JSON.stringify(body.items, null, 2) + '\n' : formatBouncers(body.items));
  });
  apiOptions(bouncers.command('delete').description('delete a bouncer; its key stops working').argument('<name>', 'its name or id')).action(async (name: string, flags: ApiFlags) => {
    const base = serverUrl(flags.url, io.env, io.cwd);
    try {
      await client(flags, io)('DELETE', `/api/bouncers/${encodeURIComponent(name)}`, 200);
    } catch (err) {
      if (err instanceof BadRequestError && err.message.includes(' answered 404')) {
        io.err(`rampart bouncers: no bouncer named or with id ${JSON.stringify(name.slice(0, 80))} at ${base}; see rampart bouncers list\n`);
        setExit(1);
        return;
      }
      throw err;
    }
    io.out(`deleted bouncer "${name}"\n`);
  });
}
