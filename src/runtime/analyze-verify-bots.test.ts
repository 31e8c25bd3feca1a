/**
 * `analyze --verify-bots`: good-bot claims checked by forward-confirmed reverse DNS, through a fake resolver (no
 * DNS can be reached here). The signal it feeds: site knowledge counts a file fetched by a verified good bot and
 * one reader as the site's content (two clients are enough with that reference, five without).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { DiskCache } from '../core/index.js';
import type { DnsResolver } from '../enrich/index.js';
import { analyze } from './analyze.js';

const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const line = (ip: string, sec: number, path: string, bytes: number, ua: string) =>
  `${ip} - - [10/Oct/2026:13:${String(10 + Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" 200 ${bytes} "-" "${ua}"`;

/** The bot shows first (its claim is looked up), readers browse for a few batches, then bot and one reader fetch the script. */
function log(botIp: string): string {
  const lines = [line(botIp, 0, '/robots.txt', 120, GOOGLEBOT_UA)];
  for (let i = 0; i < 30; i++) lines.push(line(`192.0.2.${10 + (i % 5)}`, 1 + i, `/articles/${i}`, 9000 + i, FIREFOX));
  lines.push(line(botIp, 40, '/downloads/install.sh', 5120, GOOGLEBOT_UA));
  lines.push(line('203.0.113.9', 41, '/downloads/install.sh', 5120, FIREFOX));
  const dir = mkdtempSync(join(tmpdir(), 'rampart-verify-bots-'));
  const file = join(dir, 'access.log');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** 66.249.66.1 is crawl-66-249-66-1.googlebot.com and back; 198.51.100.66 claims Googlebot but reverses to a VPS. */
function fakeResolver(asked: string[]): DnsResolver {
  const ptr: Record<string, string[]> = { '66.249.66.1': ['crawl-66-249-66-1.googlebot.com'], '198.51.100.66': ['vps-66.hoster.example'] };
  const a: Record<string, string[]> = { 'crawl-66-249-66-1.googlebot.com': ['66.249.66.1'], 'vps-66.hoster.example': ['198.51.100.66'] };
  const notFound = () => Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return {
    reverse: async (ip) => {
      asked.push(`PTR ${ip}`);
      if (ptr[ip]) return ptr[ip];
      throw notFound();
    },
    resolve4: async (name) => {
      asked.push(`A ${name}`);
      if (a[name]) return a[name];
      throw notFound();
    },
    resolve6: async () => {
      throw notFound();
    },
  };
}

async function run(file: string, verifyBots: boolean, asked: string[]) {
  // Batches of 10 lines: the bot's claim is answered before its later request is read.
  const { config } = loadConfig({ env: {}, dotEnv: false, flags: { ingest: { batchLines: 10 } } });
  let written = '';
  await analyze({
    config,
    files: [file],
    stdin: Readable.from([]),
    output: 'jsonl',
    store: false,
    geo: false,
    cache: new DiskCache(mkdtempSync(join(tmpdir(), 'rampart-cache-'))),
    write: (t) => {
      written += t;
    },
    verifyBots,
    resolver: fakeResolver(asked),
  });
  return written
    .split('\n')
    .filter((l) => l.includes('"type":"line"'))
    .map((l) => JSON.parse(l) as { ip: string; path: string; rules: string[] });
}

describe('analyze --verify-bots', () => {
  it('off (the default): no DNS question, the script fetched by two clients is still a probe', async () => {
    const asked: string[] = [];
    const flagged = await run(log('66.249.66.1'), false, asked);
    expect(asked).toEqual([]);
    expect(flagged.map((f) => f.path)).toEqual(['/downloads/install.sh', '/downloads/install.sh']);
  });

  it('on: a verified Googlebot makes the script the site\'s content', async () => {
    const asked: string[] = [];
    const flagged = await run(log('66.249.66.1'), true, asked);
    expect(asked).toEqual(['PTR 66.249.66.1', 'A crawl-66-249-66-1.googlebot.com']);
    expect(flagged).toEqual([]);
  });

  it('on: a client that only claims to be Googlebot is no reference', async () => {
    const asked: string[] = [];
    const flagged = await run(log('198.51.100.66'), true, asked);
    expect(asked).toEqual(['PTR 198.51.100.66']);
    expect(flagged.map((f) => f.path)).toEqual(['/downloads/install.sh', '/downloads/install.sh']);
  });
});
