/**
 * Tells a lost or unreachable database (worth waiting for) from a statement the database rejected (a bug or
 * bad data), by the driver error somewhere in the cause chain. The label is short and names no host or
 * address: it goes into /ready, which is usually unauthenticated.
 */

const SYSCALL: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
};

const SQLSTATE: Record<string, string> = {
  '57P01': 'connection terminated by the server',
  '57P02': 'server crashed',
  '57P03': 'server starting up or shutting down',
  '53300': 'too many connections',
};

// pg reports these without a code.
const MESSAGES: [RegExp, string][] = [
  [/^Connection terminated/, 'connection lost'],
  [/not queryable/, 'connection lost'],
  [/timeout exceeded when trying to connect/, 'connection timed out'],
  [/^Query read timeout/, 'connection timed out'],
];

/** A short label when `err` (or one of its causes) means the connection is lost or cannot be made; null otherwise. */
export function connectionLoss(err: unknown): string | null {
  const seen = new Set<unknown>();
  for (let e = err; e !== null && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (Object.hasOwn(SYSCALL, code)) return SYSCALL[code]!;
      if (Object.hasOwn(SQLSTATE, code)) return SQLSTATE[code]!;
      if (/^08[0-9A-Z]{3}$/.test(code)) return 'connection failure';
    }
    if (typeof message === 'string') {
      for (const [re, label] of MESSAGES) if (re.test(message)) return label;
    }
    // AggregateError (a host name with several addresses, all refused).
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) if (connectionLoss(inner)) return connectionLoss(inner);
  }
  return null;
}
