/**
 * Printable configuration with secrets masked. Masking goes by what a value looks like as well as by a
 * list, because a secret often arrives where no list expects it: a password in a URL's query
 * (`postgres://u@h/db?password=X&sslpassword=Y`), a key in a provider's base URL, a new `*Token` key.
 * - keys in SECRET_KEYS, and every key whose name looks secret (`apiKey`, `password`, `token`…): `***`;
 * - every string that is a URL (`scheme://…`): the password of its userinfo and the value of every
 *   secret-looking query parameter;
 * - a URL-valued key (URL_KEYS) that does not parse: `***`, since it may still hold a secret.
 */
import type { Config } from './schema.js';
import { SECRET_KEYS, URL_KEYS } from './schema.js';

export const MASK = '***';

/** Word endings and words that name a secret; matched per word (camelCase, `_`, `-` split). */
const SECRET_ENDINGS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'key'];
const SECRET_WORDS = new Set(['pass', 'pwd', 'auth', 'authorization', 'credential', 'credentials', 'sig', 'signature', 'cookie']);

/** True for names like `apiKey`, `sslpassword`, `access_token`, `X-Auth`, `pwd`; false for `reuseCredit`. */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);
  return words.some((w) => SECRET_WORDS.has(w) || SECRET_ENDINGS.some((e) => w.endsWith(e)));
}

export function maskConfig(config: Config): unknown {
  return maskNode(config, '', '');
}

function maskNode(node: unknown, path: string, name: string): unknown {
  if (Array.isArray(node)) return node.map((v) => maskNode(v, path, name));
  if (typeof node === 'object' && node !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = maskNode(v, path ? `${path}.${k}` : k, k);
    return out;
  }
  if (typeof node === 'string' && node !== '') {
    if (SECRET_KEYS.has(path) || isSecretName(name)) return MASK;
    // A webhook URL is often its own credential (Slack's path is the token): only its origin is shown.
    if (NOTIFY_URL.test(path)) return maskPath(node);
    if (URL_KEYS.has(path)) return maskUrl(node);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(node)) return maskUrl(node);
  }
  return node;
}

const NOTIFY_URL = /^notify\.channels\.[^.]+\.url$/;

function maskPath(url: string): string {
  try {
    return `${new URL(url).origin}/${MASK}`;
  } catch {
    return MASK;
  }
}

/** A URL with the password of its userinfo and its secret-looking query values masked; `***` when it does not parse. */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return MASK;
  }
  if (u.password) u.password = MASK;
  // Rebuilt by hand: URLSearchParams would percent-encode the mask and re-encode the other values.
  if (u.search.length > 1) {
    u.search = u.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const rawName = eq < 0 ? pair : pair.slice(0, eq);
        let name = rawName;
        try {
          name = decodeURIComponent(rawName.replace(/\+/g, ' '));
        } catch {
          // A malformed escape: judge the name as written.
        }
        return eq >= 0 && isSecretName(name) ? `${rawName}=${MASK}` : pair;
      })
      .join('&');
  }
  return u.toString();
}
