import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.js';
import type { Layer } from '../config/index.js';
import { buildChannels } from './channels.js';

const webhook = { type: 'webhook', url: 'https://hooks.example.com/rampart', secret: 'x'.repeat(32) };

describe('notify config: validated at start-up, errors name the key', () => {
  it('is off with no channels', () => {
    const c = validateConfig({});
    expect(c.notify.channels).toEqual({});
    expect(c.notify.throttle.windowSeconds).toBe(600);
  });

  it('accepts one of each channel', () => {
    const c = validateConfig({
      notify: {
        channels: {
          ops: { ...webhook, template: { text: '{{ip}} {{rule}}' }, headers: { Authorization: 'Bearer x' } },
          slack: { type: 'slack', urlEnv: 'SLACK_WEBHOOK_URL' },
          mail: { type: 'email', host: 'smtp.example.com', user: 'rampart', passwordEnv: 'SMTP_PASSWORD', from: 'rampart@example.com', to: ['soc@example.com'] },
        },
        routes: [{ channels: ['ops', 'slack'], minSeverity: 'critical', categories: ['sqli'], rules: ['sqli-*'], hosts: ['*.example.com'] }],
      },
    } as Layer);
    expect(Object.keys(c.notify.channels)).toEqual(['ops', 'slack', 'mail']);
    expect(c.notify.channels.mail).toMatchObject({ port: 587, starttls: 'required', secure: false, tlsVerify: true });
  });

  it.each([
    [{ channels: { ops: { type: 'webhook' } } }, 'notify.channels.ops.url: required (or urlEnv'],
    [{ channels: { ops: { ...webhook, url: 'ftp://x' } } }, 'notify.channels.ops.url: expected an http:// or https:// URL'],
    [{ channels: { ops: { ...webhook, secret: 'short' } } }, 'notify.channels.ops.secret: must be at least 16 characters'],
    [{ channels: { ops: { ...webhook, secretEnv: 'S' } } }, 'notify.channels.ops.secret: give secret or secretEnv, not both'],
    [{ channels: { ops: { ...webhook, template: { a: '{{ipp}}' } } } }, 'notify.channels.ops.template.a: unknown field "ipp"'],
    [{ channels: { ops: { ...webhook, headers: { 'X-Rampart-Signature': 'forged' } } } }, 'notify.channels.ops.headers.X-Rampart-Signature: is set by Rampart'],
    [{ channels: { ops: { ...webhook, headers: { 'X-A': 'a\r\nB: c' } } } }, 'notify.channels.ops.headers.X-A: must be one line'],
    [{ channels: { ops: { ...webhook, colour: 'red' } } }, 'notify.channels.ops.colour: unknown key'],
    [{ channels: { ops: { type: 'pager' } } }, 'notify.channels.ops.type'],
    [{ channels: { 'bad name': webhook } }, 'notify.channels.bad name'],
    [{ channels: { mail: { type: 'email', host: 'h', from: 'a@b', to: [] } } }, 'notify.channels.mail.to'],
    [{ channels: { mail: { type: 'email', host: 'h', from: 'a@b', to: ['c@d'], password: 'p' } } }, 'notify.channels.mail.user: required when a password is given'],
    [{ channels: { ops: webhook }, routes: [{ channels: ['opps'] }] }, 'notify.routes.0.channels.0: no channel named "opps"'],
    [{ channels: { ops: webhook }, routes: [{ channels: ['ops'], categories: ['sqlx'] }] }, 'notify.routes.0.categories.0'],
    [{ channels: { ops: webhook }, routes: [{ channels: ['ops'], minSeverity: 'huge' }] }, 'notify.routes.0.minSeverity'],
    [{ delivery: { attempts: 0 } }, 'notify.delivery.attempts'],
  ])('%j', (notify, message) => {
    expect(() => validateConfig({ notify } as Layer)).toThrow(`config ${message}`);
  });
});

describe('channels: secrets from the environment, read when built', () => {
  const config = validateConfig({
    notify: {
      channels: {
        ops: { type: 'webhook', urlEnv: 'OPS_URL', secretEnv: 'OPS_SECRET' },
        slack: { type: 'slack', urlEnv: 'SLACK_URL' },
        mail: { type: 'email', host: 'smtp.example.com', user: 'u', passwordEnv: 'SMTP_PASSWORD', from: 'a@example.com', to: ['b@example.com'] },
      },
    },
  } as Layer).notify;
  const env = { OPS_URL: 'https://hooks.example.com/x', OPS_SECRET: 's'.repeat(20), SLACK_URL: 'https://hooks.slack.com/services/T/B/X', SMTP_PASSWORD: 'pw' };

  it('builds every channel when the variables are set', () => {
    const channels = buildChannels(config, env);
    expect([...channels.values()].map((c) => `${c.name}:${c.type}`)).toEqual(['ops:webhook', 'slack:slack', 'mail:email']);
  });

  it.each([
    [{ ...env, OPS_SECRET: undefined }, 'config notify.channels.ops.secretEnv: environment variable OPS_SECRET is not set'],
    [{ ...env, OPS_SECRET: 'short' }, 'config notify.channels.ops.secretEnv: OPS_SECRET must hold at least 16 characters'],
    [{ ...env, SLACK_URL: '' }, 'config notify.channels.slack.urlEnv: environment variable SLACK_URL is not set'],
    [{ ...env, SLACK_URL: 'javascript:alert(1)' }, 'config notify.channels.slack.urlEnv: expected an http:// or https:// URL'],
    [{ ...env, SMTP_PASSWORD: undefined }, 'config notify.channels.mail.passwordEnv: environment variable SMTP_PASSWORD is not set'],
  ])('%#: a missing or bad variable names the key', (e, message) => {
    expect(() => buildChannels(config, e)).toThrow(message);
  });
});

describe('rampart config shows no notify secret', () => {
  it('masks secrets, passwords, secret-looking headers and the path of channel URLs', async () => {
    const { maskConfig } = await import('../config/index.js');
    const c = validateConfig({
      notify: {
        channels: {
          ops: { ...webhook, headers: { Authorization: 'Bearer abc', 'X-Team': 'soc' } },
          chat: { type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/TOKEN' },
          mail: { type: 'email', host: 'smtp.example.com', user: 'u', password: 'pw', from: 'a@example.com', to: ['b@example.com'] },
        },
      },
    } as Layer);
    const masked = JSON.stringify(maskConfig(c));
    for (const secret of ['x'.repeat(32), 'Bearer abc', 'TOKEN', '"pw"', '/rampart']) expect(masked).not.toContain(secret);
    expect(masked).toContain('"url":"https://hooks.slack.com/***"');
    expect(masked).toContain('"X-Team":"soc"');
  });
});
