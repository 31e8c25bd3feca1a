/**
 * IOC type detection. Input is hostile and bounded (MAX_IOC_LENGTH); patterns are anchored and
 * free of nested quantifiers so a long string cannot make them backtrack.
 */
import { UnsupportedIocError } from './errors.js';
import { parseIpv4, parseIpv6 } from '../net/index.js';
import type { IocType } from './types.js';

export const MAX_IOC_LENGTH = 2048;

const HEX = /^[0-9a-fA-F]+$/;
// One DNS label: 1-63 chars, letters/digits/hyphen (punycode included), no leading/trailing hyphen.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const EMAIL_LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'hxxp:', 'hxxps:']);

export interface DetectedIoc {
  type: IocType;
  /** Canonical form: trimmed; hashes, domains and emails lower-cased; defanged dots restored. */
  value: string;
}

/** Short, printable description of what was seen, for error messages (never the whole input). */
function describe(s: string): string {
  const safe = s.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(s.length > 64 ? `${safe}…` : safe);
}

/** Undoes common defanging (`1[.]2[.]3[.]4`, `hxxp://`) so analysts can paste from reports. */
function refang(s: string): string {
  return s.replace(/\[\.\]|\(\.\)|\{\.\}/g, '.').replace(/\[:\]/g, ':').replace(/^hxxp/i, 'http');
}

export function isDomain(s: string): boolean {
  if (s.length > 253) return false;
  const labels = s.split('.');
  if (labels.length < 2) return false;
  if (!TLD.test(labels[labels.length - 1]!)) return false;
  return labels.every((l) => LABEL.test(l));
}

function detectCidr(s: string): DetectedIoc | null {
  const slash = s.indexOf('/');
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return null;
  const n = Number(len);
  if (parseIpv4(addr) !== null) return n <= 32 ? { type: 'cidr', value: `${addr}/${n}` } : null;
  if (parseIpv6(addr) !== null) return n <= 128 ? { type: 'cidr', value: `${addr.toLowerCase()}/${n}` } : null;
  return null;
}

function detectUrl(s: string): DetectedIoc | null {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (!URL_SCHEMES.has(u.protocol) || u.hostname === '') return null;
  return { type: 'url', value: s };
}

/** Detects the IOC type or throws UnsupportedIocError saying what was seen. */
export function detectIoc(input: string): DetectedIoc {
  if (typeof input !== 'string') throw new UnsupportedIocError(typeof input, 'expected a string');
  if (input.length > MAX_IOC_LENGTH) {
    throw new UnsupportedIocError(`of ${input.length} characters`, `longer than ${MAX_IOC_LENGTH}`);
  }
  const s = refang(input.trim());
  if (s === '') throw new UnsupportedIocError('""', 'empty');

  if (parseIpv4(s) !== null) return { type: 'ipv4', value: s };
  if (s.includes(':') && !s.includes('/') && parseIpv6(s) !== null) return { type: 'ipv6', value: s.toLowerCase() };
  if (/^[0-9a-fA-F:.]+\/\d+$/.test(s)) {
    const c = detectCidr(s);
    if (c) return c;
    throw new UnsupportedIocError(describe(input), 'looks like a CIDR but the address or prefix length is invalid');
  }
  if (HEX.test(s)) {
    const value = s.toLowerCase();
    if (s.length === 32) return { type: 'md5', value };
    if (s.length === 40) return { type: 'sha1', value };
    if (s.length === 64) return { type: 'sha256', value };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const u = detectUrl(s);
    if (u) return u;
    throw new UnsupportedIocError(describe(input), 'looks like a URL but is not a valid http(s)/ftp URL');
  }
  const at = s.lastIndexOf('@');
  if (at > 0) {
    const domain = s.slice(at + 1).toLowerCase();
    if (EMAIL_LOCAL.test(s.slice(0, at)) && isDomain(domain)) {
      return { type: 'email', value: `${s.slice(0, at)}@${domain}` };
    }
    throw new UnsupportedIocError(describe(input), 'looks like an e-mail address but is not valid');
  }
  const host = s.toLowerCase().replace(/\.$/, '');
  if (isDomain(host)) return { type: 'domain', value: host };
  if (HEX.test(s)) throw new UnsupportedIocError(describe(input), `hex string of length ${s.length} is not an MD5, SHA-1 or SHA-256`);
  throw new UnsupportedIocError(describe(input), 'not an IP, CIDR, domain, URL, MD5/SHA-1/SHA-256 hash or e-mail address');
}
