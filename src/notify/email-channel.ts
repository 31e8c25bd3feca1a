/**
 * E-mail over SMTP with nodemailer (STARTTLS, implicit TLS, AUTH): a plain-text message (email-message.ts) to
 * the configured recipients. nodemailer is loaded on first use, so a process without an e-mail channel never
 * loads it. SMTP answers map to retries: 4xx and connection failures are worth another try, 5xx (a refused
 * recipient, bad credentials) are not.
 */
import { createRequire } from 'node:module';
import type { Transporter } from 'nodemailer';
import { emailMessage } from './email-message.js';
import { ChannelError, type Channel, type Notification } from './types.js';

export interface EmailOptions {
  name: string;
  host: string;
  port: number;
  secure: boolean;
  starttls: 'required' | 'opportunistic' | 'off';
  tlsVerify: boolean;
  user?: string;
  password?: string;
  from: string;
  to: readonly string[];
  subjectPrefix: string;
  timeoutMs: number;
}

export function emailChannel(o: EmailOptions): Channel {
  let transport: Transporter | undefined;
  const open = (): Transporter => {
    // require, not import(): the CLI bundle runs as CommonJS in a vm script, where import() of a package is refused.
    const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
    return nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure,
      requireTLS: !o.secure && o.starttls === 'required',
      ignoreTLS: !o.secure && o.starttls === 'off',
      tls: { rejectUnauthorized: o.tlsVerify },
      ...(o.user !== undefined ? { auth: { user: o.user, pass: o.password ?? '' } } : {}),
      connectionTimeout: o.timeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
    });
  };
  const label = `email ${o.name}`;
  return {
    name: o.name,
    type: 'email',
    async send(n: Notification, signal?: AbortSignal) {
      if (signal?.aborted) throw new ChannelError(`${label}: cancelled`, true);
      const { subject, text } = emailMessage(n, o.subjectPrefix);
      try {
        transport ??= open();
        await transport.sendMail({ from: o.from, to: [...o.to], subject, text, headers: { 'X-Rampart-Threat': n.id } });
      } catch (err) {
        throw smtpError(label, `${o.host}:${o.port}`, err);
      }
    },
    close() {
      transport?.close();
    },
  };
}

export function smtpError(label: string, where: string, err: unknown): ChannelError {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const line = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
  if (typeof e.responseCode === 'number') {
    return new ChannelError(`${label}: ${where} answered ${line(e.response ?? String(e.responseCode))}`, e.responseCode < 500);
  }
  const permanent = e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
  return new ChannelError(`${label}: ${where}: ${line(e.message ?? String(err))}${e.code ? ` (${e.code})` : ''}`, !permanent);
}
