/**
 * `rampart notify test <channel>` against local receivers: one line on success, one line with the receiver's
 * answer on failure (exit 1, no stack trace), exit 2 for an unknown channel or a missing secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type Answer, type HttpReceiver } from '../../src/notify/testing/http-receiver.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../src/notify/testing/smtp-receiver.js';
import { runCli } from './run-in-process.js';

const SECRET = 'cli-test-secret-0123456789';
let rx: HttpReceiver;
let smtp: SmtpReceiver;
const dir = mkdtempSync(join(tmpdir(), 'rampart-notify-cli-'));
const config = join(dir, 'rampart.yaml');

let closedPort = 0;

beforeAll(async () => {
  // A port nothing listens on (fetch refuses the well-known ones, 1 among them, before connecting).
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  rx = await startHttpReceiver({ secret: SECRET });
  smtp = await startSmtpReceiver();
  writeFileSync(
    config,
    `notify:
  channels:
    ops:
      type: webhook
      url: ${rx.url}
      secretEnv: OPS_SECRET
      timeoutSeconds: 1
    chat:
      type: slack
      url: ${rx.url.replace('/hook', '/slack')}
    mail:
      type: email
      host: 127.0.0.1
      port: ${smtp.port}
      starttls: opportunistic
      tlsVerify: false
      from: rampart@example.com
      to: [soc@example.com]
    down:
      type: webhook
      url: http://127.0.0.1:${closedPort}/hook
`,
  );
});
afterAll(async () => {
  await rx?.close();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { OPS_SECRET: SECRET };

describe('rampart notify test', () => {
  it('sends a signed sample alert through a webhook and says so in one line', async () => {
    const r = await runCli(['notify', 'test', 'ops', '-c', config], { env });
    expect(r).toMatchObject({ code: 0, out: 'notify test: webhook ops: delivered\n', err: '' });
    const got = rx.received.at(-1)!;
    expect(got.verified).toEqual({ ok: true });
    expect(JSON.parse(got.body)).toMatchObject({ source: 'rampart notify test', rule: 'sqli-union-select' });
  });

  it('sends through Slack and e-mail', async () => {
    expect(await runCli(['notify', 'test', 'chat', '-c', config], { env })).toMatchObject({ code: 0, out: 'notify test: slack chat: delivered\n' });
    expect(JSON.parse(rx.received.at(-1)!.body)).toHaveProperty('blocks');
    expect(await runCli(['notify', 'test', 'mail', '-c', config], { env })).toMatchObject({ code: 0, out: 'notify test: email mail: delivered\n' });
    expect((await smtp.waitFor(1))[0]!.headers.subject).toContain('sqli-union-select');
  });

  it.each([
    [[{ status: 500, body: 'internal\nerror' }], /^rampart notify test: webhook ops: http:\/\/127\.0\.0\.1:\d+ answered 500: internal error\n$/],
    [[{ status: 429, headers: { 'retry-after': '30' } }], /^rampart notify test: webhook ops: http:\/\/127\.0\.0\.1:\d+ answered 429\n$/],
    [['hang'], /^rampart notify test: webhook ops: no answer from http:\/\/127\.0\.0\.1:\d+ within 1 s\n$/],
    [['close'], /^rampart notify test: webhook ops: cannot reach http:\/\/127\.0\.0\.1:\d+: .+\n$/],
  ] as [Answer[], RegExp][])('reports the receiver’s failure in one line and exits 1 (%j)', async (answers, line) => {
    rx.answers.push(...answers);
    const r = await runCli(['notify', 'test', 'ops', '-c', config], { env });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(line);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('an unreachable receiver: one line, exit 1', async () => {
    const r = await runCli(['notify', 'test', 'down', '-c', config], { env });
    expect(r).toMatchObject({ code: 1, out: '', err: `rampart notify test: webhook down: cannot reach http://127.0.0.1:${closedPort}: ECONNREFUSED\n` });
  });

  it('an unknown channel or a missing secret is a config mistake: exit 2, naming it', async () => {
    expect(await runCli(['notify', 'test', 'nope', '-c', config], { env })).toMatchObject({
      code: 2,
      err: 'rampart: no channel named "nope" under notify.channels (configured: ops, chat, mail, down)\n',
    });
    expect(await runCli(['notify', 'test', 'ops', '-c', config], { env: {} })).toMatchObject({
      code: 2,
      err: 'rampart: config notify.channels.ops.secretEnv: environment variable OPS_SECRET is not set\n',
    });
  });
});
