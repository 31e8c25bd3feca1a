/**
 * API keys (migration 0011): one row per key, holding a hash of the key and never the key. Keys are looked up
 * by that hash (the caller compares it again in constant time); names are caller-chosen text, bounded and
 * passed as parameters. Times are epoch milliseconds at this boundary.
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError } from '../core/index.js';
import type { SqlClient } from './types.js';

export const KEY_SCOPES = ['read', 'ingest', 'metrics', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** What is stored about a key (its hash only through `findByHash`). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: KeyScope[];
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface NewApiKey {
  name: string;
  scopes: readonly KeyScope[];
  /** Hex SHA-256 of the key (src/api/auth/api-key.ts). */
  hash: string;
  expiresAt: number | null;
}

export const MAX_KEY_NAME = 64;
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HASH = /^[0-9a-f]{64}$/;

interface Row {
  id: string;
  name: string;
  scopes: string[];
  created_ms: number;
  last_used_ms: number | null;
  expires_ms: number | null;
  revoked_ms: number | null;
}

const COLUMNS = `id, name, scopes,
  (extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
  (extract(epoch FROM last_used_at) * 1000)::float8 AS last_used_ms,
  (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms,
  (extract(epoch FROM revoked_at) * 1000)::float8 AS revoked_ms`;

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes.filter((s): s is KeyScope => (KEY_SCOPES as readonly string[]).includes(s)),
    createdAt: Math.round(r.created_ms),
    lastUsedAt: r.last_used_ms === null ? null : Math.round(r.last_used_ms),
    expiresAt: r.expires_ms === null ? null : Math.round(r.expires_ms),
    revokedAt: r.revoked_ms === null ? null : Math.round(r.revoked_ms),
  };
}

/** Names are shown in lists and logs: a short plain word. */
export function checkKeyName(name: string): string {
  if (!KEY_NAME.test(name)) {
    throw new BadRequestError(
      `key name ${JSON.stringify(name.slice(0, 80))} is not valid: 1-${MAX_KEY_NAME} letters, digits, '.', '_' or '-', starting with a letter or digit`,
      'name',
    );
  }
  return name;
}

export class ApiKeyRepository {
  constructor(private readonly sql: SqlClient) {}

  /** Adds a key; a name already held by an active key is refused (revoke that one first). */
  async create(key: NewApiKey, now: number): Promise<ApiKeyRecord> {
    checkKeyName(key.name);
    if (!HASH.test(key.hash)) throw new BadRequestError('key hash must be 64 hex characters', 'hash');
    if (key.scopes.length === 0) throw new BadRequestError('a key needs at least one scope', 'scopes');
    const id = `key_${randomBytes(6).toString('hex')}`;
    const { rows } = await this.sql.query<Row>(
      `INSERT INTO api_keys (id, name, key_hash, scopes, created_at, expires_at)
       SELECT $1, $2, $3, $4::text[], to_timestamp($5::float8 / 1000), to_timestamp($6::float8 / 1000)
       WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE name = $2 AND revoked_at IS NULL)
       ON CONFLICT DO NOTHING
       RETURNING ${COLUMNS}`,
      [id, key.name, key.hash, [...new Set(key.scopes)], now, key.expiresAt],
    );
    const row = rows[0];
    if (!row) throw new BadRequestError(`an active key is already named ${JSON.stringify(key.name)}: revoke it first or choose another name`, 'name');
    return toRecord(row);
  }

  /** The key with this hash, revoked or expired ones included (the caller says which it is). */
  async findByHash(hash: string): Promise<(ApiKeyRecord & { hash: string }) | null> {
    if (!HASH.test(hash)) return null;
    const { rows } = await this.sql.query<Row & { key_hash: string }>(`SELECT ${COLUMNS}, key_hash FROM api_keys WHERE key_hash = $1`, [hash]);
    const row = rows[0];
    return row ? { ...toRecord(row), hash: row.key_hash } : null;
  }

  /** Active keys by name; with `all`, revoked ones too (newest first within a name). */
  async list(opts: { all?: boolean } = {}): Promise<ApiKeyRecord[]> {
    const { rows } = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys ${opts.all ? '' : 'WHERE revoked_at IS NULL'} ORDER BY name, created_at DESC, id`,
    );
    return rows.map(toRecord);
  }

  /** How many keys were ever created (the first run creates one only when there were none). */
  async count(): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
    return rows[0]?.n ?? 0;
  }

  /** Revokes the active key with this name, or the key with this id; null when there is none. */
  async revoke(nameOrId: string, now: number): Promise<ApiKeyRecord | null> {
    // No name or id holds a NUL (PostgreSQL text could not store one anyway).
    if (nameOrId.includes('\0')) return null;
    const { rows } = await this.sql.query<Row>(
      `UPDATE api_keys SET revoked_at = to_timestamp($2::float8 / 1000)
       WHERE revoked_at IS NULL AND (id = $1 OR name = $1)
       RETURNING ${COLUMNS}`,
      [nameOrId.slice(0, 200), now],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Records when keys were last used (the API calls this at most once a minute per key). */
  async touch(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.query(
      `UPDATE api_keys SET last_used_at = to_timestamp($2::float8 / 1000)
       WHERE id = ANY($1::text[]) AND (last_used_at IS NULL OR last_used_at < to_timestamp($2::float8 / 1000))`,
      [ids, at],
    );
  }
}
