/**
 * Keys of the knowledge: the site (a Host header value) and the host of a Referer, both lower-cased, port and
 * trailing dot dropped, bounded. A hostile value is only ever a bounded map key.
 */

/** Longest host kept (DNS names are at most 253 characters). */
export const MAX_HOST = 253;
/** The site of events whose log has no host. */
export const DEFAULT_SITE = '';

/** The site an event belongs to; DEFAULT_SITE when the log has no host. */
export function siteKey(host: string | null): string {
  if (host === null || host === '') return DEFAULT_SITE;
  return cleanHost(host, 0, host.length);
}

/**
 * The host of an absolute http(s) Referer (`https://Example.org:8443/a` → `example.org`), or null for anything else
 * (a relative or unparsable value, another scheme, `-`).
 */
export function refererHost(referer: string | null): string | null {
  if (referer === null || referer.length < 8) return null;
  const sep = referer.indexOf('://');
  if (sep < 4 || sep > 5) return null;
  const scheme = referer.slice(0, sep).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  const start = sep + 3;
  let end = start;
  const limit = Math.min(referer.length, start + MAX_HOST + 8);
  while (end < limit) {
    const c = referer.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  const at = referer.lastIndexOf('@', end - 1);
  const from = at >= start ? at + 1 : start;
  if (end === from) return null;
  return cleanHost(referer, from, end);
}

function cleanHost(s: string, from: number, to: number): string {
  let end = to;
  // A port, unless the colon belongs to a bracketed IPv6 literal.
  const colon = s.lastIndexOf(':', end - 1);
  if (colon >= from && s.indexOf(']', colon) < 0) end = colon;
  if (end > from && s.charCodeAt(end - 1) === 46 /* . */) end--;
  if (end - from > MAX_HOST) end = from + MAX_HOST;
  return s.slice(from, end).toLowerCase();
}

/** `www.example.org` and `example.org` are one site for the referer test. */
export function sameSiteHost(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (h: string) => (h.startsWith('www.') ? h.slice(4) : h);
  return strip(a) === strip(b);
}
