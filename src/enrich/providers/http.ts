/**
 * The one HTTP path every provider uses: undici with connect/read timeouts and an overall deadline,
 * an identifying User-Agent, and retries with exponential backoff only for what may be transient
 * (5xx, connection reset) — never for 4xx, never past the deadline. The API key travels in a
 * header and is never put in a message.
 */
import { Agent, errors as undiciErrors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { ProviderError } from '../errors.js';

export interface HttpOptions {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Whole call, retries included. */
  deadlineMs: number;
  retries: number;
  backoffMs: number;
  userAgent: string;
  /** Sockets per provider origin. */
  connections?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined when the body was empty. */
  body: unknown;
}

export function makeAgent(o: Pick<HttpOptions, 'connectTimeoutMs' | 'readTimeoutMs' | 'connections'>): Dispatcher {
  return new Agent({ connect: { timeout: o.connectTimeoutMs }, headersTimeout: o.readTimeoutMs, bodyTimeout: o.readTimeoutMs, keepAliveTimeout: 10_000, connections: o.connections ?? 32 });
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

function codeOf(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string } };
  return err.cause?.code ?? err.code ?? '';
}

export async function getJson(
  provider: string,
  indicator: string,
  url: string,
  headers: Record<string, string>,
  opts: HttpOptions,
  dispatcher: Dispatcher,
  signal: AbortSignal,
): Promise<HttpResponse> {
  const deadline = AbortSignal.timeout(opts.deadlineMs);
  const combined = AbortSignal.any([signal, deadline]);
  const fail = (kind: ProviderError['kind'], detail: string, cause?: unknown) => new ProviderError(provider, indicator, kind, detail, undefined, { cause });
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': opts.userAgent, ...headers },
        dispatcher,
        signal: combined,
      });
      status = res.statusCode;
      const text = await res.body.text();
      if (status >= 500 && attempt < opts.retries) {
        await sleep(opts.backoffMs * 2 ** attempt * (0.5 + Math.random() / 2), combined);
        continue;
      }
      let body: unknown;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          // A 5xx HTML error page is a server failure, not a malformed answer.
          if (status >= 500) throw fail('server', `HTTP ${status}`);
          if (status === 429) body = undefined;
          else throw fail('bad_response', `HTTP ${status} with a body that is not JSON (${text.length} bytes)`);
        }
      }
      return { status, headers: res.headers, body };
    } catch (e) {
      if (e instanceof ProviderError) throw e;
      if (signal.aborted) throw signal.reason;
      if (deadline.aborted) throw fail('timeout', `no answer within ${opts.deadlineMs} ms`, e);
      const code = codeOf(e);
      if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        throw fail('timeout', `read timed out after ${opts.readTimeoutMs} ms`, e);
      }
      if (code === 'UND_ERR_CONNECT_TIMEOUT') throw fail('timeout', `connect timed out after ${opts.connectTimeoutMs} ms`, e);
      if (RETRYABLE_CODES.has(code) && attempt < opts.retries) {
        await sleep(opts.backoffMs * 2 ** attempt * (0.5 + Math.random() / 2), combined).catch(() => undefined);
        if (combined.aborted) throw signal.aborted ? signal.reason : fail('timeout', `no answer within ${opts.deadlineMs} ms`, e);
        continue;
      }
      throw fail('network', `${code || (e as Error).name}: ${(e as Error).message}`, e);
    }
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(v: string | string[] | undefined, now = Date.now()): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export function header(h: HttpResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
