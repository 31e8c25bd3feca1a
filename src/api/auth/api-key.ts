/**
 * The key itself: 256 random bits with a recognisable prefix (so a leaked key is easy to grep for), stored
 * only as its SHA-256. A slow password hash would buy nothing: there is no low-entropy secret to protect.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from '../../core/index.js';
import { KEY_SCOPES, type ApiKeyRecord, type ApiKeyRepository, type KeyScope } from '../../store/index.js';
import type { RouteScope } from '../route-scope.js';

export const KEY_PREFIX = 'rk_';
/** Longer values are refused before hashing: nothing legitimate is that long. */
export const MAX_KEY_LENGTH = 256;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A key's first characters, enough to tell keys apart in a terminal, never enough to use. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 6)}…***`;
}

/** `admin` implies every scope; `metrics` routes also take `admin`; public routes take anyone. */
export function grants(held: readonly KeyScope[], needed: RouteScope): boolean {
  if (needed === 'public') return true;
  if (needed === 'bouncer') return false;
  if (held.includes('admin')) return true;
  return held.includes(needed);
}

/** `read,ingest` → the scopes, each one known. */
export function parseScopes(text: string): KeyScope[] {
  const items = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (items.length === 0) throw new BadRequestError(`--scopes: give at least one of ${KEY_SCOPES.join(', ')}`, 'scopes');
  for (const s of items) {
    if (!(KEY_SCOPES as readonly string[]).includes(s)) {
      throw new BadRequestError(`--scopes: unknown scope ${JSON.stringify(s.slice(0, 40))}; known: ${KEY_SCOPES.join(', ')}`, 'scopes');
    }
  }
  return [...new Set(items)] as KeyScope[];
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** `90d`, `12h`, `30m`, `2w`, `1y`, or an ISO date; the instant the key stops working. */
export function parseExpiry(text: string, now: number): number {
  const m = /^(\d{1,5})([mhdwy])$/.exec(text.trim());
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
    if (ms <= 0) throw new BadRequestError('--expires: must be in the future', 'expires');
    return now + ms;
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) throw new BadRequestError(`--expires: expected a duration such as 90d, 12h, 30m or an ISO date, got ${JSON.stringify(text.slice(0, 40))}`, 'expires');
  if (at <= now) throw new BadRequestError(`--expires: ${text} is in the past`, 'expires');
  return at;
}

export interface KeySpec {
  name: string;
  scopes: readonly KeyScope[];
  expiresAt: number | null;
}

/** Creates a key: the key text is returned to show once, only its hash is stored. */
export async function issueApiKey(
  repo: Pick<ApiKeyRepository, 'create'>,
  spec: KeySpec,
  now: number,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = generateApiKey();
  const record = await repo.create({ ...spec, hash: hashApiKey(key) }, now);
  return { key, record };
}

/** A key as the API and `rampart keys list --json` show it. */
export function apiKeyJson(r: ApiKeyRecord) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    created_at: new Date(r.createdAt).toISOString(),
    last_used_at: iso(r.lastUsedAt),
    expires_at: iso(r.expiresAt),
    revoked_at: iso(r.revokedAt),
  };
}
export type ApiKeyJson = ReturnType<typeof apiKeyJson>;
