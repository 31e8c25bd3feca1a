/**
 * `rampart keys create|list|revoke`: API keys. The key is printed once, on stdout alone (so
 * `KEY=$(rampart keys create …)` works); only its hash is stored.
 *
 * Where: with `--url` (or RAMPART_URL) the command asks that server (scope admin; key from --api-key or
 * RAMPART_API_KEY). Otherwise it opens the configured store itself, except that an embedded store held by a
 * running server (one answering on the configured port) is reached through that server: PGlite is one
 * process's database.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { apiKeyJson, issueApiKey, parseExpiry, parseScopes, type ApiKeyJson } from '../api/index.js';
import type { Config } from '../config/index.js';
import { BadRequestError, RampartError } from '../core/index.js';
import { storeOptions } from '../pipeline/index.js';
import { openStore, type Store } from '../store/index.js';
import { addConfigFlag, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import { apiKeyFrom, requestJson, serverUrl } from './http-client.js';
import type { CliIO } from './io.js';

interface TargetFlags extends CommonFlags {
  url?: string;
  apiKey?: string;
}

/** One way to reach the keys: the store directly, or a server's /api/keys. */
interface KeyBackend {
  where: string;
  create(spec: { name: string; scopes: string[]; expires?: string }): Promise<ApiKeyJson & { key: string }>;
  list(all: boolean): Promise<ApiKeyJson[]>;
  revoke(nameOrId: string): Promise<ApiKeyJson | null>;
  close(): Promise<void>;
}

export function registerKeys(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const keys = program.command('keys').description('create, list and revoke API keys (only a hash of each key is stored)');
  const target = (cmd: Command): Command => {
    addConfigFlag(cmd);
    addStoreFlags(cmd);
    return cmd
      .option('--url <url>', 'manage the keys of this running server instead of opening the store (env RAMPART_URL)')
      .option('--api-key <key>', 'admin key for --url (default: env RAMPART_API_KEY or API_KEY)');
  };

  target(
    keys
      .command('create')
      .description('create a key and print it once')
      .requiredOption('--name <name>', "a name for the key (letters, digits, '.', '_', '-'), unique among active keys")
      .requiredOption('--scopes <list>', 'comma-separated: read, ingest, metrics, admin (admin implies every scope)')
      .option('--expires <when>', 'a duration (90d, 12h, 30m, 2w, 1y) or an ISO date (default: never)')
      .option('--json', 'print the key and its record as JSON'),
  ).action(async (flags: TargetFlags & { name: string; scopes: string; expires?: string; json?: boolean }) => {
    const scopes = parseScopes(flags.scopes);
    if (flags.expires !== undefined) parseExpiry(flags.expires, Date.now());
    await withBackend(flags, io, async (backend) => {
      const made = await backend.create({ name: flags.name, scopes, ...(flags.expires !== undefined ? { expires: flags.expires } : {}) });
      if (flags.json) {
        io.out(JSON.stringify(made, null, 2) + '\n');
        return;
      }
      io.out(`${made.key}\n`);
      io.err(
        `rampart keys: created "${made.name}" (${made.id}) with scopes ${made.scopes.join(', ')}, ` +
          `${made.expires_at ? `expiring ${made.expires_at}` : 'not expiring'} (${backend.where}).\n` +
          'The key above is shown this once: only its hash is stored. Send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>".\n',
      );
    });
  });

  target(
    keys
      .command('list')
      .description('list keys: name, id, scopes, created, last used, expiry (never the key)')
      .option('--all', 'include revoked keys')
      .option('--json', 'print JSON'),
  ).action(async (flags: TargetFlags & { all?: boolean; json?: boolean }) => {
    await withBackend(flags, io, async (backend) => {
      const items = await backend.list(Boolean(flags.all));
      if (flags.json) io.out(JSON.stringify(items, null, 2) + '\n');
      else io.out(formatKeys(items, Boolean(flags.all), Date.now()));
    });
  });

  target(keys.command('revoke').description('revoke a key by name or id; it stops working within 10 s').argument('<key>', 'the name or id of the key')).action(
    async (nameOrId: string, flags: TargetFlags) => {
      await withBackend(flags, io, async (backend) => {
        const revoked = await backend.revoke(nameOrId);
        if (!revoked) {
          io.err(`rampart keys: no active key named or with id ${JSON.stringify(nameOrId.slice(0, 80))} (${backend.where}); see rampart keys list\n`);
          setExit(1);
          return;
        }
        io.out(`revoked "${revoked.name}" (${revoked.id})\n`);
      });
    },
  );
}

async function withBackend(flags: TargetFlags, io: CliIO, fn: (backend: KeyBackend) => Promise<void>): Promise<void> {
  const backend = await openBackend(flags, io);
  try {
    await fn(backend);
  } finally {
    await backend.close();
  }
}

async function openBackend(flags: TargetFlags, io: CliIO): Promise<KeyBackend> {
  const explicitUrl = flags.url ?? (io.env.RAMPART_URL || undefined);
  if (explicitUrl !== undefined) return apiBackend(serverUrl(flags.url, io.env, io.cwd), flags, io);
  const { config } = loadWithFlags(flags, io);
  if (!config.store.databaseUrl) {
    // An embedded store is one process's: when a server holds it, go through that server.
    const base = serverUrl(undefined, { ...io.env, RAMPART_PORT: String(config.server.port) }, io.cwd);
    if (await answers(base)) {
      io.err(`rampart keys: a server answers at ${base} and holds the embedded store: asking it\n`);
      return apiBackend(base, flags, io);
    }
  }
  return storeBackend(config);
}

async function answers(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function storeBackend(config: Config): Promise<KeyBackend> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const store: Store = await openStore({ ...storeOptions(config), logger });
  return {
    where: config.store.databaseUrl ? 'in the PostgreSQL store' : `in the embedded store in ${config.store.dataDir}`,
    async create(spec) {
      const now = Date.now();
      const { key, record } = await issueApiKey(
        store.apiKeys,
        { name: spec.name, scopes: parseScopes(spec.scopes.join(',')), expiresAt: spec.expires === undefined ? null : parseExpiry(spec.expires, now) },
        now,
      );
      return { key, ...apiKeyJson(record) };
    },
    list: async (all) => (await store.apiKeys.list({ all })).map(apiKeyJson),
    async revoke(nameOrId) {
      const r = await store.apiKeys.revoke(nameOrId, Date.now());
      return r ? apiKeyJson(r) : null;
    },
    close: () => store.close(),
  };
}

function apiBackend(base: string, flags: TargetFlags, io: CliIO): KeyBackend {
  const apiKey = apiKeyFrom(flags.apiKey, io.env, io.cwd);
  if (!apiKey) throw new BadRequestError(`managing keys through ${base} needs an admin key: --api-key or RAMPART_API_KEY`);
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    try {
      return await requestJson(`${base}${path}`, { method, apiKey, body });
    } catch (err) {
      throw new RampartError('store_unavailable', `cannot reach ${base}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const fail = (status: number, body: unknown): never => {
    const message = (body as { message?: string } | null)?.message ?? JSON.stringify(body).slice(0, 300);
    throw new BadRequestError(`${base} answered ${status}: ${message}`);
  };
  return {
    where: `through ${base}`,
    async create(spec) {
      const res = await call('POST', '/api/keys', spec);
      if (res.status !== 201) fail(res.status, res.body);
      return res.body as ApiKeyJson & { key: string };
    },
    async list(all) {
      const res = await call('GET', `/api/keys${all ? '?all=true' : ''}`);
      if (res.status !== 200) fail(res.status, res.body);
      return (res.body as { items: ApiKeyJson[] }).items;
    },
    async revoke(nameOrId) {
      const res = await call('DELETE', `/api/keys/${encodeURIComponent(nameOrId)}`);
      if (res.status === 404) return null;
      if (res.status !== 200) fail(res.status, res.body);
      return res.body as ApiKeyJson;
    },
    close: async () => undefined,
  };
}

export function formatKeys(items: readonly ApiKeyJson[], all: boolean, now: number): string {
  if (items.length === 0) return all ? '(no keys)\n' : '(no active keys; rampart keys create --name NAME --scopes read)\n';
  const day = (iso: string | null) => (iso === null ? '-' : iso.slice(0, 16).replace('T', ' '));
  const expiry = (iso: string | null) => (iso === null ? 'never' : Date.parse(iso) <= now ? `${day(iso)} (expired)` : day(iso));
  const head = ['name', 'id', 'scopes', 'created', 'last used', 'expires', ...(all ? ['revoked'] : [])];
  const rows = items.map((k) => [k.name, k.id, k.scopes.join(','), day(k.created_at), day(k.last_used_at), expiry(k.expires_at), ...(all ? [day(k.revoked_at)] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
  return line(head) + rows.map(line).join('');
}
