import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GOOD_BOTS } from './agents.js';
import {
  AddressPool,
  CENSYS,
  HOSTING,
  IOT_BOTNET,
  RESIDENTIAL,
  TOR_EXITS,
  parseBlock,
  randomAddress,
} from './networks.js';
import { Random } from './random.js';

/** Ranges an internet client can never come from (RFC 6890 and friends). */
const SPECIAL_V4: [number, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
].map(([ip, len]) => [toInt(ip as string), len as number]);

function toInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function isSpecialV4(ip: string): boolean {
  const n = toInt(ip);
  return SPECIAL_V4.some(
    ([base, len]) => Math.floor(n / 2 ** (32 - len)) === Math.floor(base / 2 ** (32 - len)),
  );
}

const ALL_BLOCKS = [...RESIDENTIAL, ...HOSTING, ...TOR_EXITS, ...IOT_BOTNET, ...CENSYS].map(([b]) => b.cidr);
const BOT_BLOCKS = GOOD_BOTS.flatMap((bot) => bot.blocks);

describe('address blocks', () => {
  it('spans many countries, with IPv6', () => {
    const countries = new Set([...RESIDENTIAL, ...HOSTING].map(([b]) => b.country));
    expect(countries.size).toBeGreaterThanOrEqual(15);
    expect(ALL_BLOCKS.filter((c) => c.includes(':')).length).toBeGreaterThanOrEqual(5);
  });

  it.each([...ALL_BLOCKS, ...BOT_BLOCKS])('%s gives public addresses inside the block', (cidr) => {
    const parsed = parseBlock(cidr);
    const rng = new Random(cidr);
    const bad: string[] = [];
    for (let i = 0; i < 200; i++) {
      const ip = randomAddress(rng, parsed);
      const ok =
        parsed.kind === 4
          ? isIPv4(ip) &&
            !isSpecialV4(ip) &&
            toInt(ip) >= parsed.base &&
            toInt(ip) < parsed.base + parsed.size
          : isIPv6(ip) && ip.startsWith(cidr.split('::')[0] + ':') && !ip.includes('::') && /^[23]/.test(ip); // 2000::/3
      if (!ok) bad.push(ip);
    }
    expect(bad).toEqual([]);
  });

  it('draws from a weighted pool deterministically', () => {
    const pool = new AddressPool(RESIDENTIAL);
    const a = new Random(5);
    const b = new Random(5);
    const left = Array.from({ length: 50 }, () => pool.draw(a));
    expect(Array.from({ length: 50 }, () => pool.draw(b))).toEqual(left);
    expect(new Set(left).size).toBe(50);
  });
});
