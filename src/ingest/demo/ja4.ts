/**
 * JA4 TLS fingerprints for the demo's JA4-carrying format (`rampart demo --format ja4`, `demo.format: ja4`): each client
 * keeps one TLS library, hence one JA4, except a credential-stuffing tool that randomises its ClientHello to slip past
 * fingerprint blocks, which shows a new JA4 on almost every request. Derived by hashing, never from the simulator's
 * random stream, so the same seed writes the same requests in either format.
 */
import { COMBINED } from '../formats/index.js';
import type { Hit } from './types.js';

/** The demo's log_format with a JA4: nginx combined plus the JA4 module's variable, quoted. */
export const DEMO_JA4_LOG_FORMAT = `${COMBINED} "$http_ssl_ja4"`;

export const DEMO_FORMATS = ['combined', 'ja4'] as const;
export type DemoFormat = (typeof DEMO_FORMATS)[number];

/** Fingerprints of common TLS stacks (browsers, curl, Go, Python), one per client by its address. */
const STABLE = [
  't13d1516h2_8daaf6152771_e5627efa2ab1',
  't13d1517h2_8daaf6152771_b0da82dd1658',
  't13d1715h2_5b57614c22b0_3d5424432f57',
  't13d3112h2_e8f1e7e78f70_6bebaf5329ac',
  't13i311100_e8f1e7e78f70_d41ae481755e',
  't13d190900_9dc949149365_97f8aa674fd9',
] as const;

function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hex12(a: number, b: number): string {
  return (a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')).slice(0, 12);
}

/** The JA4 a hit's client shows: its address's one fingerprint, or a fresh one per request for a rotating tool. */
export function ja4Of(hit: Hit): string {
  const ip = hit.label.ip;
  if (hit.tls !== 'rotating') return STABLE[fnv1a(ip) % STABLE.length]!;
  const key = `${ip} ${hit.time}`;
  const a = fnv1a(key);
  const b = fnv1a(key, a);
  const c = fnv1a(key, b);
  // Cipher and extension counts move with the shuffle, as a randomised ClientHello's do.
  const ciphers = String(8 + (a % 12)).padStart(2, '0');
  const extensions = String(8 + (b % 10)).padStart(2, '0');
  return `t13d${ciphers}${extensions}h2_${hex12(a, b)}_${hex12(c, (a ^ c) >>> 0)}`;
}
