/**
 * A local SMTP server for tests (the smtp-server package): STARTTLS with its built-in self-signed certificate,
 * AUTH PLAIN/LOGIN against one user, and scripted failures (a code for the next RCPT TO or DATA). Records each
 * message's envelope, headers (unfolded) and body (quoted-printable decoded).
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Lower-case names, unfolded values. */
  headers: Record<string, string>;
  body: string;
  secure: boolean;
  user: string | null;
}

export interface SmtpReceiver {
  port: number;
  received: ReceivedMail[];
  /** SMTP codes to answer the next RCPT TO / DATA with, in order (then accept). */
  failRcpt: number[];
  failData: number[];
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpReceiver(opts: { user?: string; password?: string } = {}): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  const failRcpt: number[] = [];
  const failData: number[] = [];
  const options: SMTPServerOptions = {
    authOptional: opts.user === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    // AUTH only after STARTTLS (the default): the test then proves the client upgraded.
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, cb) {
      const code = failRcpt.shift();
      if (code !== undefined) cb(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = failData.shift();
        if (code !== undefined) {
          cb(Object.assign(new Error(code >= 500 ? 'Message refused' : 'Local error, try again'), { responseCode: code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.indexOf('\r\n\r\n');
        const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
        const headers: Record<string, string> = {};
        for (const line of head.split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        let body = raw.slice(split + 4);
        if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
          body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          headers,
          body: body.replace(/\r\n/g, '\n'),
          secure: session.secure,
          user: (session.user as string | undefined) ?? null,
        });
        cb();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    received,
    failRcpt,
    failData,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`the SMTP server got ${received.length} of ${n} messages within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received.slice(0, n);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
