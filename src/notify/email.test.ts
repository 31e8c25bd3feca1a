/**
 * The e-mail channel against a local SMTP server started here (smtp-server): STARTTLS and AUTH, the message's
 * headers and body, and its failures: a 4xx retried, a 5xx and bad credentials kept as dead letters at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type Layer } from '../config/index.js';
import { openStore, type Store } from '../store/index.js';
import { buildChannels } from './channels.js';
import { Notifier } from './notifier.js';
import { startSmtpReceiver, type SmtpReceiver } from './testing/smtp-receiver.js';
import { threat } from './testing/fixtures.js';

let store: Store;
let smtp: SmtpReceiver;
let notifier: Notifier | undefined;

beforeAll(async () => {
  store = await openStore({ databaseUrl: 'memory://' });
}, 180_000);
afterAll(async () => {
  await store?.close();
});
afterEach(async () => {
  await notifier?.close(1000);
  notifier = undefined;
  await smtp?.close();
  await store.sql.query('DELETE FROM notification_dead_letters');
});

async function setUp(channel: Record<string, unknown> = {}, env: Record<string, string> = { SMTP_PASSWORD: 's3cret' }) {
  smtp = await startSmtpReceiver({ user: 'rampart', password: 's3cret' });
  const config = validateConfig({
    notify: {
      channels: {
        mail: {
          type: 'email',
          host: '127.0.0.1',
          port: smtp.port,
          starttls: 'required',
          // smtp-server's built-in certificate is self-signed.
          tlsVerify: false,
          user: 'rampart',
          passwordEnv: 'SMTP_PASSWORD',
          from: 'rampart@example.com',
          to: ['soc@example.com', 'oncall@example.com'],
          timeoutSeconds: 5,
          ...channel,
        },
      },
      delivery: { attempts: 3, initialDelaySeconds: 0.02, maxDelaySeconds: 0.2 },
    },
  } as Layer).notify;
  notifier = new Notifier({ config, channels: buildChannels(config, env), deadLetters: store.deadLetters });
  return notifier;
}

const batch = (...threats: ReturnType<typeof threat>[]) => ({ sourceId: '/var/log/nginx/access.log', threats });

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('e-mail over SMTP', () => {
  it('sends over STARTTLS with AUTH: envelope, headers and body as configured', async () => {
    const n = await setUp();
    n.write(batch(threat()));
    const [mail] = await smtp.waitFor(1);
    expect(mail).toMatchObject({ from: 'rampart@example.com', to: ['soc@example.com', 'oncall@example.com'], secure: true, user: 'rampart' });
    expect(mail!.headers.from).toBe('rampart@example.com');
    expect(mail!.headers.to).toBe('soc@example.com, oncall@example.com');
    expect(mail!.headers.subject).toBe('[rampart] HIGH sqli from 203.0.113.7 on www.example.com: sqli-union-select');
    expect(mail!.headers['x-rampart-threat']).toBe('ev-1');
    expect(mail!.headers['content-type']).toMatch(/^text\/plain/);
    expect(mail!.body).toContain('IP:         203.0.113.7\n');
    expect(mail!.body).toContain('Rule:       sqli-union-select\n');
    expect(mail!.body).toContain('Threat id:  ev-1\n');
  });

  it('a hostile host cannot add a header', async () => {
    const n = await setUp();
    n.write(batch(threat({ host: 'evil.example\r\nBcc: victim@example.org' })));
    const [mail] = await smtp.waitFor(1);
    expect(mail!.headers.bcc).toBeUndefined();
    expect(mail!.to).toEqual(['soc@example.com', 'oncall@example.com']);
    expect(mail!.headers.subject).toContain('on evil.example Bcc: victim@example.org');
  });

  it('retries a 451 (temporary) and delivers', async () => {
    const n = await setUp();
    smtp.failData.push(451, 451);
    n.write(batch(threat()));
    await smtp.waitFor(1);
    await n.idle();
    expect(n.deliveries.get('mail')!.stats).toMatchObject({ sent: 1, retries: 2, deadLettered: 0 });
  });

  it('keeps a 550 (every recipient refused) as a dead letter without retrying', async () => {
    const n = await setUp();
    smtp.failRcpt.push(550, 550);
    n.write(batch(threat()));
    await until('the dead letter', async () => (await store.deadLetters.count()) === 1);
    const [letter] = await store.deadLetters.list({ limit: 1 });
    expect(letter).toMatchObject({ channel: 'mail', attempts: 1 });
    expect(letter!.error).toMatch(/^email mail: 127\.0\.0\.1:\d+ answered 550 Mailbox unavailable/);
    expect(smtp.received).toHaveLength(0);
  });

  it('keeps bad credentials as a dead letter, and the error names the server, never the password', async () => {
    const n = await setUp({}, { SMTP_PASSWORD: 'wrong-password' });
    n.write(batch(threat()));
    await until('the dead letter', async () => (await store.deadLetters.count()) === 1);
    const [letter] = await store.deadLetters.list({ limit: 1 });
    expect(letter!.attempts).toBe(1);
    expect(letter!.error).toMatch(/^email mail: 127\.0\.0\.1:\d+ answered 535/);
    expect(letter!.error).not.toContain('wrong-password');
  });

  it('retries when the server cannot be reached, then gives up', async () => {
    const n = await setUp({ port: 1 });
    n.write(batch(threat()));
    await until('the dead letter', async () => (await store.deadLetters.count()) === 1);
    const [letter] = await store.deadLetters.list({ limit: 1 });
    expect(letter!.attempts).toBe(3);
    expect(letter!.error).toBe('email mail: 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (ESOCKET)');
  });
});
