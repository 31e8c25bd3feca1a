/**
 * End to end: a running `rampart serve` picks up a changed user rule pack (file watch) without a restart,
 * keeps the rules in use when the new pack is broken, and reloads on SIGHUP. On embedded PGlite: the reload
 * path does not depend on the store.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeLocal } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

function pack(id: string, path: string): string {
  return `pack: site
category: sensitive_file
rules:
  - id: ${id}
    name: Request for this site's canary path
    severity: high
    confidence: 0.9
    fields: [path]
    match: { phrases: ['${path}'] }
    examples:
      match: ['${path}']
      no_match: ['/index.html']
`;
}

function line(ip: string, path: string): string {
  return `${ip} - - [${timeLocal(Date.now())}] "GET ${path} HTTP/1.1" 404 0 "-" "curl/8.5.0"\n`;
}

describe('serve reloads rule packs', { timeout: 180_000 }, () => {
  let dir: string;
  let rules: string;
  let log: string;
  let p: ServeProcess;

  const ruleIdsFor = async (ip: string): Promise<string[] | undefined> => {
    const { body } = await p.get(`/api/threats?ip=${ip}&limit=5`);
    if (body.total === 0) return undefined;
    return (body.items as { detections: { rule_id: string }[] }[]).flatMap((t) => t.detections.map((d) => d.rule_id));
  };
  const reloads = (what: RegExp) => p.stdout().split('\n').filter((l) => what.test(l)).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-reload-'));
    rules = join(dir, 'site.yaml');
    log = join(dir, 'access.log');
    writeFileSync(rules, pack('site-canary-one', '/canary-one'));
    writeFileSync(log, '');
    const config = join(dir, 'rampart.yaml');
    writeFileSync(config, `detect:\n  rules:\n    paths: [${JSON.stringify(rules)}]\n`);
    p = await startServe(['--no-demo', '--config', config, '--log', log, '--data-dir', join(dir, 'data')], { LOG_LEVEL: 'info' });
    await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 30_000);
  });
  afterAll(async () => {
    await p?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the user pack loaded at start', async () => {
    appendFileSync(log, line('203.0.113.1', '/canary-one'));
    expect(await waitFor('canary one', () => ruleIdsFor('203.0.113.1'), 10_000)).toContain('site-canary-one');
  });

  it('swaps in the changed pack when its file is written, without a restart', async () => {
    const before = reloads(/detection rules reloaded/);
    writeFileSync(rules, pack('site-canary-two', '/canary-two'));
    await waitFor('reload after the file change', async () => (reloads(/detection rules reloaded/) > before ? true : undefined), 10_000);
    appendFileSync(log, line('203.0.113.2', '/canary-two') + line('203.0.113.3', '/canary-one'));
    expect(await waitFor('canary two', () => ruleIdsFor('203.0.113.2'), 10_000)).toContain('site-canary-two');
    // The old rule is gone: a benign marker line after it proves the batch holding /canary-one was processed.
    appendFileSync(log, line('203.0.113.4', '/canary-two'));
    await waitFor('marker', () => ruleIdsFor('203.0.113.4'), 10_000);
    expect(await ruleIdsFor('203.0.113.3')).toBeUndefined();
  });

  it('keeps the rules in use when the new pack is broken, and says which file and rule', async () => {
    const before = reloads(/rule reload failed/);
    writeFileSync(rules, pack('site-canary-three', '/canary-three').replace('severity: high', 'severity: dire'));
    await waitFor('failed reload', async () => (reloads(/rule reload failed/) > before ? true : undefined), 10_000);
    expect(p.stdout()).toMatch(/rule reload failed, keeping the rules in use: [^\n]*site\.yaml[^\n]*site-canary-three/);
    appendFileSync(log, line('203.0.113.5', '/canary-two'));
    expect(await waitFor('canary two still', () => ruleIdsFor('203.0.113.5'), 10_000)).toContain('site-canary-two');
  });

  it('reloads on SIGHUP', async () => {
    const fixed = reloads(/detection rules reloaded/);
    writeFileSync(rules, pack('site-canary-four', '/canary-four'));
    await waitFor('reload after the fix', async () => (reloads(/detection rules reloaded/) > fixed ? true : undefined), 10_000);
    const before = reloads(/"reason":"SIGHUP"[^\n]*detection rules reloaded/);
    p.child.kill('SIGHUP');
    await waitFor('SIGHUP reload', async () => (reloads(/"reason":"SIGHUP"[^\n]*detection rules reloaded/) > before ? true : undefined), 10_000);
    appendFileSync(log, line('203.0.113.6', '/canary-four'));
    expect(await waitFor('canary four', () => ruleIdsFor('203.0.113.6'), 10_000)).toContain('site-canary-four');
    expect(p.child.exitCode).toBeNull();
  });
});
