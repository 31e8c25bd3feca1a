/**
 * One POST of a JSON body to a receiver, and what its answer means for a retry. Redirects are not followed (a
 * receiver that moved is a configuration to fix, and a redirect must not carry a signed body elsewhere). Error
 * messages name the receiver by origin only: a Slack webhook URL's path is its credential.
 */
import { ChannelError } from './types.js';
import { parseRetryAfter } from './backoff.js';

export interface PostOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** For messages: `webhook ops`. */
  label: string;
}

const SNIPPET = 200;

export async function postJson(o: PostOptions): Promise<void> {
  const where = originOf(o.url);
  const { url, authorization } = splitCredentials(o.url);
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'rampart-notify', ...(authorization ? { authorization } : {}), ...o.headers },
      body: o.body,
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    if (timeout.aborted) throw new ChannelError(`${o.label}: no answer from ${where} within ${o.timeoutMs / 1000} s`, true);
    if (o.signal?.aborted) throw new ChannelError(`${o.label}: cancelled`, true);
    const reason = networkReason(err);
    // fetch refuses ports of other protocols (25, 587, 6667…) before connecting; say so rather than "bad port".
    if (reason === 'bad port') throw new ChannelError(`${o.label}: ${where}: fetch refuses this port (it belongs to another protocol); use another`, false);
    throw new ChannelError(`${o.label}: cannot reach ${where}: ${reason}`, true);
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => {});
    return;
  }
  const text = await readSnippet(res);
  const retryable = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), Date.now());
  throw new ChannelError(`${o.label}: ${where} answered ${res.status}${text ? `: ${text}` : ''}`, retryable, retryAfter);
}

/** fetch refuses a URL with user:password@: they become a Basic Authorization header instead. */
export function splitCredentials(raw: string): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { url: raw };
  }
  if (u.username === '' && u.password === '') return { url: raw };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${basic}` };
}

/** scheme://host[:port] only. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error).message;
  return String(reason).slice(0, SNIPPET);
}

/** The start of the receiver's answer, one line, for the error message. */
async function readSnippet(res: Response): Promise<string> {
  try {
    const reader = res.body?.getReader();
    if (!reader) return '';
    let bytes = new Uint8Array(0);
    while (bytes.length < 2048) {
      const { done, value } = await reader.read();
      if (done) break;
      const next = new Uint8Array(bytes.length + value.length);
      next.set(bytes);
      next.set(value, bytes.length);
      bytes = next;
    }
    await reader.cancel().catch(() => {});
    const flat = new TextDecoder().decode(bytes).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    return flat.length > SNIPPET ? flat.slice(0, SNIPPET) + '…' : flat;
  } catch {
    return '';
  }
}
