/**
 * The notify stage's contract: a stored threat becomes a Notification (flat fields, the vocabulary of
 * templates), rules pick the channels it goes to, and each channel delivers it with retries behind its own
 * bounded queue (delivery.ts); what still fails after the last attempt is kept as a dead letter.
 *
 * Obligations of a Channel:
 * - `send` renders and delivers one notification, once (retries are the caller's); it resolves when the
 *   receiver accepted it and rejects with a ChannelError otherwise.
 * - It gives up by `signal` (the caller's timeout or shutdown) and never waits longer than its own timeout.
 * - The error's message is one line a user can act on (the receiver's status and a bounded piece of its
 *   answer, or the network error), never a stack trace and never a secret.
 */

/** Everything a notification may say, flat, JSON-friendly: what templates can name (FIELDS). */
export interface Notification {
  /** The threat's id (its event id). */
  id: string;
  /** When the request was made (ISO 8601). */
  time: string;
  ip: string;
  host: string | null;
  method: string;
  path: string;
  query: string;
  status: number;
  user_agent: string | null;
  referer: string | null;
  severity: string;
  category: string;
  /** 0..1 */
  score: number;
  /** The rule the notification is about (the first matching detection of the highest severity). */
  rule: string;
  /** Every rule that fired on the request. */
  rules: string[];
  field: string;
  fragment: string;
  country: string | null;
  asn: number | null;
  as_org: string | null;
  /** The source the request came from (a log path, `ingest-api`...). */
  source: string;
  /** Alerts of the same IP and rule left out by throttling since the previous notification. */
  suppressed: number;
  /** When the first of those was seen (ISO 8601), null when none was. */
  suppressed_since: string | null;
}

export const FIELDS = [
  'id',
  'time',
  'ip',
  'host',
  'method',
  'path',
  'query',
  'status',
  'user_agent',
  'referer',
  'severity',
  'category',
  'score',
  'rule',
  'rules',
  'field',
  'fragment',
  'country',
  'asn',
  'as_org',
  'source',
  'suppressed',
  'suppressed_since',
] as const satisfies readonly (keyof Notification)[];
export type Field = (typeof FIELDS)[number];

export interface Channel {
  readonly name: string;
  readonly type: 'webhook' | 'slack' | 'email';
  send(n: Notification, signal?: AbortSignal): Promise<void>;
  /** Releases sockets (an SMTP pool); optional. */
  close?(): void;
}

/** Why a delivery failed; `retryable` false for answers that will not change (a 400, a refused recipient). */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** What the receiver asked for (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}
