/**
 * Notifications end to end: a real `rampart serve` follows a log, with a webhook channel pointing at a local
 * receiver started here (its secret given by environment). An attack line appended to the log reaches the
 * receiver as a signed call within a few seconds, with the request's fields; the channel's queue shows in the
 * pipeline metrics.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from '../../src/notify/testing/http-receiver.js';
import { attackLine, benignLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const SECRET = 'e2e-webhook-secret-0123456789';

describe('notifications from rampart serve', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-notify-'));
  let serve: ServeProcess | undefined;
  let rx: HttpReceiver | undefined;

  afterAll(async () => {
    await serve?.stop('SIGKILL');
    await rx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an attack appended to the log produces a signed webhook call within seconds', async () => {
    rx = await startHttpReceiver({ secret: SECRET });
    const log = join(dir, 'access.log');
    writeFileSync(log, benignLine(1) + '\n');
    const config = join(dir, 'rampart.yaml');
    writeFileSync(
      config,
      [
        'notify:',
        '  channels:',
        '    ops:',
        '      type: webhook',
        `      url: ${rx.url}`,
        '      secretEnv: E2E_WEBHOOK_SECRET',
        '      template:',
        '        text: "{{severity | upper}} {{rule}} from {{ip}}"',
        '        ip: "{{ip}}"',
        '        query: "{{query}}"',
        '        rules: "{{rules}}"',
        '  routes:',
        '    - channels: [ops]',
        '      minSeverity: medium',
        '',
      ].join('\n'),
    );
    serve = await startServe(['--no-demo', '-c', config, '--log', log, '--data-dir', join(dir, 'data')], { E2E_WEBHOOK_SECRET: SECRET });
    await waitFor('ready', async () => ((await serve!.get('/ready')).status === 200 ? true : undefined), 90_000);

    const appended = Date.now();
    appendFileSync(log, attackLine(7, '203.0.113.99') + '\n');
    const [call] = await rx.waitFor(1, 30_000);
    const tookMs = Date.now() - appended;
    expect(call!.verified).toEqual({ ok: true });
    const body = JSON.parse(call!.body) as { text: string; ip: string; query: string; rules: string[] };
    expect(body.ip).toBe('203.0.113.99');
    expect(body.query).toContain('UNION%20SELECT');
    expect(body.rules.length).toBeGreaterThan(0);
    expect(body.text).toMatch(/^(MEDIUM|HIGH|CRITICAL) \S+ from 203\.0\.113\.99$/);
    // "Within a few seconds": the log is polled every 250 ms and the batch committed at once; generous for a loaded machine.
    expect(tookMs).toBeLessThan(15_000);

    const metrics = await serve.get('/api/metrics/pipeline');
    expect(JSON.stringify(metrics.body)).toContain('notify:ops');
  });
});
