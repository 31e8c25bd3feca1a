/**
 * Who a key belongs to. The key is hashed and looked up by its hash (the store never sees the key), then the
 * hashes are compared again in constant time. Verified keys are remembered for `cacheMs` so a request does not
 * wait for the store each time (a revocation takes effect within that time); failures are never remembered.
 * The last use is written at most once per `touchEveryMs` per key, never once per request.
 */
import type { ApiKeyRecord, KeyScope } from '../../store/index.js';
import { hashApiKey, MAX_KEY_LENGTH, sameHash } from './api-key.js';

/** The caller of a request, as handlers see it (`request.apiKey`). */
export interface Caller {
  id: string;
  name: string;
  scopes: KeyScope[];
}

/** What the verifier needs of the store (store.apiKeys). */
export interface KeyLookup {
  findByHash(hash: string): Promise<(ApiKeyRecord & { hash: string }) | null>;
  touch(ids: readonly string[], at: number): Promise<void>;
}

export type Verdict = { ok: true; caller: Caller } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

export interface KeyVerifierOptions {
  keys?: KeyLookup;
  /** A key given by environment (RAMPART_API_KEY): admin, kept only as its hash. */
  bootstrapKey?: string;
  clock?: () => number;
  cacheMs?: number;
  touchEveryMs?: number;
  onTouchError?: (err: unknown) => void;
}

/** The key from RAMPART_API_KEY, as handlers and logs name it. */
export const BOOTSTRAP_CALLER: Caller = { id: 'env', name: 'RAMPART_API_KEY', scopes: ['admin'] };
const MAX_CACHED = 10_000;

export class KeyVerifier {
  private readonly bootstrapHash: string | null;
  private readonly cache = new Map<string, { record: ApiKeyRecord & { hash: string }; until: number }>();
  private readonly touched = new Map<string, number>();
  private readonly clock: () => number;
  private readonly cacheMs: number;
  private readonly touchEveryMs: number;

  constructor(private readonly opts: KeyVerifierOptions) {
    this.bootstrapHash = opts.bootstrapKey ? hashApiKey(opts.bootstrapKey) : null;
    this.clock = opts.clock ?? Date.now;
    this.cacheMs = opts.cacheMs ?? 10_000;
    this.touchEveryMs = opts.touchEveryMs ?? 60_000;
  }

  async verify(key: string): Promise<Verdict> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) return { ok: false, reason: 'unknown' };
    const hash = hashApiKey(key);
    if (this.bootstrapHash !== null && sameHash(hash, this.bootstrapHash)) return { ok: true, caller: BOOTSTRAP_CALLER };
    const now = this.clock();
    let record = this.cached(hash, now);
    if (!record) {
      const found = (await this.opts.keys?.findByHash(hash)) ?? null;
      if (!found || !sameHash(found.hash, hash)) return { ok: false, reason: 'unknown' };
      record = found;
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(hash, { record, until: now + this.cacheMs });
    }
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== null && record.expiresAt <= now) return { ok: false, reason: 'expired' };
    this.noteUse(record.id, now);
    return { ok: true, caller: { id: record.id, name: record.name, scopes: record.scopes } };
  }

  private cached(hash: string, now: number): (ApiKeyRecord & { hash: string }) | null {
    const hit = this.cache.get(hash);
    if (!hit) return null;
    if (hit.until <= now) {
      this.cache.delete(hash);
      return null;
    }
    return hit.record;
  }

  private noteUse(id: string, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < this.touchEveryMs) return;
    if (this.touched.size >= MAX_CACHED) this.touched.clear();
    this.touched.set(id, now);
    this.opts.keys?.touch([id], now).catch((err: unknown) => this.opts.onTouchError?.(err));
  }
}
