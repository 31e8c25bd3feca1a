/**
 * The configured channels, built: secrets given as `…Env` are read here (the only place the environment is
 * read for notify), and a variable that is not set stops start-up naming the key that wants it.
 */
import { ConfigError } from '../core/index.js';
import type { ChannelConfig, NotifyConfig } from './config.js';
import { emailChannel } from './email-channel.js';
import { slackChannel } from './slack-channel.js';
import type { Channel } from './types.js';
import { webhookChannel } from './webhook-channel.js';

export function buildChannels(config: NotifyConfig, env: NodeJS.ProcessEnv): Map<string, Channel> {
  const out = new Map<string, Channel>();
  for (const [name, c] of Object.entries(config.channels)) out.set(name, buildChannel(name, c, env));
  return out;
}

export function buildChannel(name: string, c: ChannelConfig, env: NodeJS.ProcessEnv): Channel {
  const key = `notify.channels.${name}`;
  const secret = (value: string | undefined, envName: string | undefined, field: string): string | undefined => {
    if (value !== undefined || envName === undefined) return value;
    const v = env[envName];
    if (v === undefined || v === '') throw new ConfigError(`${key}.${field}Env`, `environment variable ${envName} is not set`);
    return v;
  };
  const timeoutMs = c.timeoutSeconds * 1000;
  switch (c.type) {
    case 'webhook': {
      const s = secret(c.secret, c.secretEnv, 'secret');
      if (s !== undefined && s.length < 16) throw new ConfigError(`${key}.secretEnv`, `${c.secretEnv} must hold at least 16 characters`);
      return webhookChannel({
        name,
        url: checkedUrl(secret(c.url, c.urlEnv, 'url')!, `${key}.${c.url !== undefined ? 'url' : 'urlEnv'}`),
        ...(s !== undefined ? { secret: s } : {}),
        headers: c.headers,
        ...(c.template !== undefined ? { template: c.template } : {}),
        timeoutMs,
      });
    }
    case 'slack':
      return slackChannel({ name, url: checkedUrl(secret(c.url, c.urlEnv, 'url')!, `${key}.${c.url !== undefined ? 'url' : 'urlEnv'}`), timeoutMs });
    case 'email': {
      const password = secret(c.password, c.passwordEnv, 'password');
      return emailChannel({
        name,
        host: c.host,
        port: c.port,
        secure: c.secure,
        starttls: c.starttls,
        tlsVerify: c.tlsVerify,
        ...(c.user !== undefined ? { user: c.user } : {}),
        ...(password !== undefined ? { password } : {}),
        from: c.from,
        to: c.to,
        subjectPrefix: c.subjectPrefix,
        timeoutMs,
      });
    }
  }
}

/** A URL from the environment gets the check the schema gives one in the file. */
function checkedUrl(url: string, key: string): string {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) throw new ConfigError(key, 'expected an http:// or https:// URL');
  try {
    new URL(url);
  } catch {
    throw new ConfigError(key, 'is not a valid URL');
  }
  return url;
}
