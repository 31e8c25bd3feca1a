/**
 * A client of a CrowdSec Local API, both ways: as a bouncer (`X-Api-Key`: the decision stream) and as a machine
 * (`POST /v1/watchers/login` for a JWT, then alerts). Plain fetch (Node 20's, undici underneath) with a timeout per
 * request and a cap on the response size read; every answer is checked with its zod schema (lapi-schemas.ts).
 *
 * Errors are LapiErrors that say which request failed and why, without the key or password; the caller (the
 * source's loop, the sink) decides about retrying. The JWT is kept until a minute before its `expire` and renewed
 * once on a 401 (the LAPI restarted with a new secret, or the clock drifted).
 */
import type * as z from 'zod';
import { RampartError } from '../../core/index.js';
import {
  lapiAlertsSchema,
  lapiErrorSchema,
  lapiLoginSchema,
  lapiPushedSchema,
  lapiStreamSchema,
  type LapiAlert,
  type LapiStream,
} from './lapi-schemas.js';
import { parseLapiTime } from './lapi-time.js';

/** Largest response body read (a startup stream with 100,000 decisions is about 20 MiB). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export class LapiError extends RampartError {
  constructor(
    message: string,
    /** HTTP status, or null when no answer came (refused, timed out, unreadable). */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super('provider_error', message, options);
  }
}

export interface LapiClientOptions {
  /** `http://127.0.0.1:8080` (a path prefix is kept). */
  url: string;
  bouncerKey?: string;
  machine?: { login: string; password: string };
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Sent as User-Agent: `cscli bouncers list` shows it as the bouncer's type/version. */
  userAgent?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface AlertQuery {
  /** A Go duration: alerts of the last `since` (the LAPI's own filter). */
  since?: string;
  until?: string;
  limit: number;
}

export class LapiClient {
  private token: { value: string; renewAt: number } | null = null;
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly opts: LapiClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  /** `GET /v1/decisions/stream`: everything active with `startup`, then what changed since this bouncer's last pull. */
  async decisionStream(startup: boolean): Promise<LapiStream> {
    const key = this.opts.bouncerKey;
    if (!key) throw new LapiError('crowdsec: no bouncer key configured (crowdsec.bouncerKey)', null);
    const path = `/v1/decisions/stream${startup ? '?startup=true' : ''}`;
    return this.request('GET', path, { 'X-Api-Key': key }, undefined, lapiStreamSchema);
  }

  /**
   * `GET /v1/alerts`, newest first. Not with `include_capi=false`: in 1.4.6 that keeps only alerts with a decision,
   * which drops an agent's alerts that its profiles did not remediate; the source skips blocklist alerts itself.
   */
  async alerts(q: AlertQuery): Promise<LapiAlert[]> {
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.since) params.set('since', q.since);
    if (q.until) params.set('until', q.until);
    return (await this.asMachine('GET', `/v1/alerts?${params}`, undefined, lapiAlertsSchema)) ?? [];
  }

  /** `POST /v1/alerts`: the new alerts' ids. */
  async pushAlerts(alerts: readonly object[]): Promise<string[]> {
    return (await this.asMachine('POST', '/v1/alerts', alerts, lapiPushedSchema)) ?? [];
  }

  /** Logs in now (also checks the credentials). */
  async login(): Promise<void> {
    const m = this.opts.machine;
    if (!m) throw new LapiError('crowdsec: no machine login configured (crowdsec.machine.login, crowdsec.machine.password)', null);
    const r = await this.request('POST', '/v1/watchers/login', {}, { machine_id: m.login, password: m.password, scenarios: [] }, lapiLoginSchema);
    const expire = parseLapiTime(r.expire) ?? this.now() + 3_600_000;
    // Renew a minute early; a token that lives less than that is renewed on every call.
    this.token = { value: r.token, renewAt: expire - 60_000 };
  }

  private async asMachine<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    if (this.token === null || this.now() >= this.token.renewAt) await this.login();
    try {
      return await this.request(method, path, { Authorization: `Bearer ${this.token!.value}` }, body, schema);
    } catch (err) {
      if (!(err instanceof LapiError) || err.status !== 401) throw err;
      this.token = null;
      await this.login();
      return this.request(method, path, { Authorization: `Bearer ${this.token!.value}` }, body, schema);
    }
  }

  private async request<S extends z.ZodType>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: unknown,
    schema: S,
  ): Promise<z.infer<S>> {
    const what = `crowdsec ${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await this.fetch(this.base + path, {
        method,
        headers: {
          ...headers,
          'User-Agent': this.opts.userAgent ?? 'rampart/1',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch (err) {
      throw new LapiError(`${what}: ${reasonOf(err)}`, null, { cause: err });
    }
    const text = await readBounded(res, this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES, what);
    if (res.status < 200 || res.status > 299) {
      throw new LapiError(`${what}: HTTP ${res.status}${errorMessage(text)}`, res.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new LapiError(`${what}: the answer is not JSON`, res.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LapiError(`${what}: unexpected answer at ${issue.path.join('.') || '(root)'}: ${issue.message}`, res.status);
    }
    return parsed.data as z.infer<S>;
  }
}

async function readBounded(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw new LapiError(`${what}: answer of ${declared} bytes is over the ${max}-byte limit`, res.status);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    for await (const chunk of res.body) {
      n += chunk.byteLength;
      if (n > max) {
        await res.body.cancel().catch(() => undefined);
        throw new LapiError(`${what}: answer over the ${max}-byte limit`, res.status);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof LapiError) throw err;
    throw new LapiError(`${what}: reading the answer failed: ${reasonOf(err)}`, res.status, { cause: err });
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorMessage(text: string): string {
  try {
    const p = lapiErrorSchema.safeParse(JSON.parse(text));
    return p.success ? ` (${p.data.message.slice(0, 200)})` : '';
  } catch {
    return '';
  }
}

/** A short reason: the socket's error code (ECONNREFUSED…), a timeout, or the message. */
export function reasonOf(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === 'string' && code !== '') return code;
  return (e?.message ?? String(err)).slice(0, 200);
}
