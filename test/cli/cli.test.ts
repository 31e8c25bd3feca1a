/** The CLI run in-process through `main`, with captured output: what a user types, what they see. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { attackLine, benignLine } from '../e2e/log-lines.js';
import { runCli } from './run-in-process.js';

const run = (args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) =>
  runCli(args, { env: opts.env, stdin: Readable.from([Buffer.from(opts.stdin ?? '')]) });

const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-'));

describe('rampart CLI', () => {
  it('prints help for every command and exits 0', async () => {
    for (const cmd of ['serve', 'analyze', 'demo', 'explain', 'config', 'migrate', 'health', 'status']) {
      const r = await run([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toContain(`Usage: rampart ${cmd}`);
    }
  });

  it('config prints the effective configuration with secrets masked', async () => {
    const r = await run(['config', '--json', '--log-level', 'debug'], {
      env: { DATABASE_URL: 'postgres://rampart:hunter2@db/rampart', RAMPART_PORT: '9000' },
    });
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.out);
    expect(cfg.server.port).toBe(9000);
    expect(cfg.log.level).toBe('debug');
    expect(cfg.store.databaseUrl).toBe('postgres://rampart:***@db/rampart');
    expect(r.out).not.toContain('hunter2');
  });

  it('invalid config stops with a message naming the key (exit 2)', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'ingest:\n  startAt: sometime\n');
    const r = await run(['config', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/config ingest\.startAt:/);
    const tz = await run(['analyze', '-', '--timezone', 'Mars/Olympus']);
    expect(tz.code).toBe(2);
    expect(tz.err).toMatch(/ingest\.timezone/);
  });

  it('analyze --output jsonl prints one object per flagged line with its 1-based line number', async () => {
    const file = join(dir, 'access.log');
    const lines = [benignLine(1), benignLine(2), attackLine(3, '192.0.2.10'), benignLine(4), 'garbage that is no log line', attackLine(6, '192.0.2.11')];
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await run(['analyze', file, '--output', 'jsonl']);
    expect(r.code).toBe(0);
    const objects = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const flagged = objects.filter((o) => o.type === 'line');
    expect(flagged.map((f) => [f.line, f.ip, f.category])).toEqual([
      [3, '192.0.2.10', 'sqli'],
      [6, '192.0.2.11', 'sqli'],
    ]);
    // Then one verdict per flagged IP, after every line object.
    const ips = objects.slice(flagged.length);
    expect(ips.map((v) => [v.type, v.ip, v.flagged, v.category, v.lines, v.categories])).toEqual([
      ['ip', '192.0.2.10', true, 'sqli', 1, { sqli: 1 }],
      ['ip', '192.0.2.11', true, 'sqli', 1, { sqli: 1 }],
    ]);
    for (const v of ips) {
      expect(v.score).toBeGreaterThan(0);
      expect(v.first).toBe(flagged.find((f) => f.ip === v.ip).time);
      expect(v.last).toBe(v.first);
    }
    for (const f of flagged) {
      expect(f.file).toBe(file);
      expect(f.severity).toMatch(/^(low|medium|high|critical)$/);
      expect(f.score).toBeGreaterThan(0);
      expect(f.rules.length).toBeGreaterThan(0);
      expect(new Date(f.time).toISOString()).toBe(f.time);
    }
    // The summary goes to stderr so stdout stays pure JSON lines.
    expect(r.err).toMatch(/lines\s+6\s+\(parsed 5, parse errors 1/);
    expect(r.err).toMatch(/IPs flagged\s+2\n/);
  });

  it('analyze reads gzip and stdin and prints a JSON summary', async () => {
    const gz = join(dir, 'access.log.gz');
    writeFileSync(gz, gzipSync([benignLine(1), attackLine(2, '192.0.2.20')].join('\n') + '\n'));
    const fromGz = await run(['analyze', gz, '--output', 'json']);
    expect(fromGz.code).toBe(0);
    const s = JSON.parse(fromGz.out);
    expect(s.lines).toBe(2);
    expect(s.threats).toBe(1);
    expect(s.ips_flagged).toBe(1);
    expect(s.by_category).toEqual({ sqli: 1 });
    expect(s.top_ips).toEqual([{ ip: '192.0.2.20', threats: 1 }]);

    const fromStdin = await run(['analyze', '-', '--output', 'json'], { stdin: attackLine(1, '192.0.2.30') + '\n' });
    expect(JSON.parse(fromStdin.out).threats).toBe(1);
  });

  it('analyze refuses an unknown output kind', async () => {
    const r = await run(['analyze', '-', '--output', 'xml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--output must be one of text, json, jsonl');
  });

  it('explain shows parse, client IP, normalisation and the rule that fired', async () => {
    const r = await run(['explain', attackLine(1, '192.0.2.40')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1. parse (combined)');
    expect(r.out).toContain('192.0.2.40  (the peer; no trusted proxies configured)');
    expect(r.out).toMatch(/urlDecode/);
    expect(r.out).toMatch(/FIRED sqli-/);
    const bad = await run(['explain', 'not a log line']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('parse    failed');
  });

  it('explain picks the client from X-Forwarded-For only behind a trusted proxy', async () => {
    const line = `10.0.0.5 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8.0" "198.51.100.7, 10.0.0.9"`;
    const trusted = await run(['explain', line, '--trusted-proxy', '10.0.0.0/8', '--json']);
    expect(JSON.parse(trusted.out).event.ip).toBe('198.51.100.7');
    const untrusted = await run(['explain', line, '--json']);
    expect(JSON.parse(untrusted.out).event.ip).toBe('10.0.0.5');
  });

  it('demo writes a reproducible log with labels', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const labels = join(dir, 'a.labels.jsonl');
    expect((await run(['demo', '--lines', '500', '--out', a, '--seed', '7', '--labels', labels])).code).toBe(0);
    expect((await run(['demo', '--lines', '500', '--out', b, '--seed', '7'])).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8').trim().split('\n')).toHaveLength(500);
    expect(readFileSync(labels, 'utf8').trim().split('\n')).toHaveLength(500);
  });

  it('rules list, test and explain', async () => {
    const list = await run(['rules', 'list', '--json']);
    expect(list.code).toBe(0);
    const rules = JSON.parse(list.out) as { id: string; category: string }[];
    expect(rules.length).toBeGreaterThan(50);
    expect(new Set(rules.map((r) => r.category))).toContain('sqli');
    const test = await run(['rules', 'test']);
    expect(test.code).toBe(0);
    expect(test.out).toMatch(/\d+ rules, \d+ examples, 0 failures/);
    const explain = await run(['rules', 'explain', 'GET /search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E HTTP/1.1']);
    expect(explain.out).toMatch(/urlDecode/);
    expect(explain.out).toMatch(/fired: .*xss/);
    const clean = await run(['rules', 'explain', '/products/42?color=blue']);
    expect(clean.out).toContain('no rule fired');
  });

  it('rules test exits 1 and names the rule when an example fails', async () => {
    const pack = join(dir, 'broken.yaml');
    writeFileSync(
      pack,
      [
        'pack: broken',
        'category: sqli',
        'rules:',
        '  - id: test-broken',
        '    name: a rule whose example is wrong',
        '    severity: low',
        '    confidence: 0.5',
        '    fields: [query]',
        '    match: { phrases: [sleep(] }',
        '    examples:',
        '      match: ["id=1"]',
        '      no_match: ["id=2"]',
        '',
      ].join('\n'),
    );
    const r = await run(['rules', 'test', pack]);
    expect(r.out).toMatch(/FAIL test-broken/);
    expect(r.code).toBe(1);
  });

  it('health and status fail with exit 1 when no server answers', async () => {
    const h = await run(['health', '--url', 'http://127.0.0.1:9']);
    expect(h.code).toBe(1);
    expect(h.err).toContain('cannot reach http://127.0.0.1:9/ready');
    const s = await run(['status', '--url', 'http://127.0.0.1:9']);
    expect(s.code).toBe(1);
  });
});
