/**
 * Host header check against DNS rebinding. A web page on evil.example whose name is re-pointed at 127.0.0.1
 * could reach a locally bound API from the victim's browser (the browser then still sends
 * `Host: evil.example`); keys stop it reading data, but an API running with `auth.mode: off` on loopback, and
 * the public routes, would still answer. Refusing host names we were not told about closes that.
 *
 * Always accepted: IP literals (a rebinding attack needs a name, and a browser that navigated to an address
 * sends the address) and loopback names (`localhost`, `*.localhost`). Configured names
 * (`server.allowedHosts`) are accepted too; `*` accepts any. With nothing configured, a loopback bind
 * accepts only those; a bind to a non-loopback address accepts any name (it is reachable by whatever names
 * point at the machine, and serve warns that it is open to the network).
 */
import { isIp } from '../net/index.js';

export interface HostPolicy {
  /** Every host is accepted. */
  any: boolean;
  /** Lower-cased names accepted besides IP literals and loopback names. */
  names: ReadonlySet<string>;
}

const LOOPBACK_BIND = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(?:\.\d{1,3}){3})$/i;

/** Whether `host` (a configured bind address) only listens on the loopback interface. */
export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_BIND.test(host.trim());
}

export function hostPolicy(bindHost: string, allowedHosts: readonly string[] = []): HostPolicy {
  const names = new Set(allowedHosts.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''));
  const any = names.has('*') || (names.size === 0 && !isLoopbackBind(bindHost));
  names.delete('*');
  return { any, names };
}

/** The host name of a Host header value, without port or IPv6 brackets; null when malformed. */
export function hostName(header: string): string | null {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    return value.slice(1, end);
  }
  const colon = value.indexOf(':');
  if (colon >= 0 && !/^\d{1,5}$/.test(value.slice(colon + 1))) return null;
  const name = colon >= 0 ? value.slice(0, colon) : value;
  // A trailing dot names the same host (`localhost.`).
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Whether a request with this Host header may be answered. A request without one (HTTP/1.0 tools) is
 * accepted: browsers always send it, and rebinding needs a browser.
 */
export function hostAllowed(policy: HostPolicy, header: string | undefined): boolean {
  if (policy.any || header === undefined) return true;
  const name = hostName(header);
  if (name === null || name === '') return false;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIp(name)) return true;
  return policy.names.has(name);
}
