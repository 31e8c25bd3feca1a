/** Printable configuration with secrets masked: keys in SECRET_KEYS fully, URLs only in their password. */
import type { Config } from './schema.js';
import { SECRET_KEYS, URL_KEYS } from './schema.js';

export function maskConfig(config: Config): unknown {
  return maskNode(config, '');
}

function maskNode(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((v) => maskNode(v, path));
  if (typeof node === 'object' && node !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const p = path ? `${path}.${k}` : k;
      out[k] = maskNode(v, p);
    }
    return out;
  }
  if (typeof node === 'string') {
    if (SECRET_KEYS.has(path)) return node ? '***' : node;
    if (URL_KEYS.has(path)) return maskUrlPassword(node);
  }
  return node;
}

export function maskUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL we can parse: it may still hold a secret, so show nothing of it.
    return '***';
  }
}
