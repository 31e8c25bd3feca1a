/** Tiny helpers for commands that ask a running server (health, status). */
// The one exception to rampart/folder-boundaries: health and status must start in a handful of modules, and
// config's index.ts loads the whole schema (zod, detect, enrich). To go once config has a light entry point.
// eslint-disable-next-line rampart/folder-boundaries
import { readDotEnv } from '../config/dotenv.js';
import { BadRequestError } from '../core/index.js';

/**
 * The server to ask: --url, else RAMPART_URL, else 127.0.0.1 on the port `serve` would take from the
 * environment or .env (RAMPART_PORT, then its aliases API_PORT and PORT), else 8000.
 */
export function serverUrl(opt: string | undefined, env: NodeJS.ProcessEnv, cwd?: string): string {
  const dot = cwd === undefined ? {} : readDotEnv(cwd).vars;
  const pick = (name: string) => (env[name] || undefined) ?? (dot[name] || undefined);
  const given = opt ?? pick('RAMPART_URL');
  const port = pick('RAMPART_PORT') ?? pick('API_PORT') ?? pick('PORT') ?? '8000';
  const base = (given ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const from = opt !== undefined ? '--url' : given !== undefined ? 'RAMPART_URL' : 'the port setting';
  let url: URL | null = null;
  try {
    url = new URL(base);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new BadRequestError(`${from}: expected http://host:port, got ${JSON.stringify(base.slice(0, 200))}`);
  }
  return base;
}

/**
 * The API key to send: --api-key, else RAMPART_API_KEY, else API_KEY, from the environment or .env (the
 * variables `serve` takes its bootstrap key from); undefined when none is set.
 */
export function apiKeyFrom(opt: string | undefined, env: NodeJS.ProcessEnv, cwd?: string): string | undefined {
  if (opt !== undefined && opt !== '') return opt;
  const dot = cwd === undefined ? {} : readDotEnv(cwd).vars;
  const pick = (name: string) => (env[name] || undefined) ?? (dot[name] || undefined);
  return pick('RAMPART_API_KEY') ?? pick('API_KEY');
}

export interface RequestOptions {
  method?: string;
  apiKey?: string | undefined;
  body?: unknown;
  timeoutMs?: number;
}

export async function getJson(url: string, timeoutMs = 5000, apiKey?: string): Promise<{ status: number; body: unknown }> {
  return requestJson(url, { timeoutMs, apiKey });
}

export async function requestJson(url: string, opts: RequestOptions = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text so the message can show it.
  }
  return { status: res.status, body };
}
