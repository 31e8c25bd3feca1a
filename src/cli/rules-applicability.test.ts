import { describe, expect, it } from 'vitest';
import type { CliIO } from './io.js';
import { main } from './main.js';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = {
    out: (t) => {
      out += t;
    },
    err: () => {},
    isTTY: false,
    env: { RAMPART_CACHE_DIR: '/nonexistent/rampart-test-cache' },
    stdin: process.stdin,
  };
  const code = await main(['node', 'rampart', 'rules', 'applicability', ...args], io);
  return { code, out };
}

describe('rampart rules applicability', () => {
  it("nginx combined (the demo's format): ja4-rotation is not applicable, with the reason", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/not applicable {2}behaviour\/ja4-rotation +log format combined carries no JA4 TLS fingerprint/);
    expect(r.out).not.toContain('behaviour/ua-rotation');
    expect(r.out).toMatch(/\d+ rules and scenarios loaded, \d+ not applicable to log format combined/);
  });

  it('a log_format that logs a JA4 makes it applicable', async () => {
    const r = await run(['--json', '--log-format', '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_ssl_ja4"']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { format: string; loaded: number; not_applicable: { rule_id: string; reason: string }[] };
    expect(body.format).toBe('custom log_format');
    expect(body.loaded).toBeGreaterThan(100);
    expect(body.not_applicable.map((n) => n.rule_id)).not.toContain('behaviour/ja4-rotation');
  });

  it('common (no user agent): ua-rotation and the user-agent rules are not applicable either', async () => {
    const r = await run(['--json', '--format', 'common']);
    const ids = (JSON.parse(r.out) as { not_applicable: { rule_id: string }[] }).not_applicable.map((n) => n.rule_id);
    expect(ids).toEqual(expect.arrayContaining(['behaviour/ja4-rotation', 'behaviour/ua-rotation']));
    expect(ids.some((id) => id.startsWith('scanner-'))).toBe(true);
    expect(ids.some((id) => id.startsWith('sqli-'))).toBe(false);
  });
});
