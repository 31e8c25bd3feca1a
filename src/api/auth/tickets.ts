/**
 * Short-lived single-use tickets for WebSocket and SSE clients (browsers cannot set headers on a WebSocket):
 * `POST /api/ws-ticket` with a key returns one, valid TICKET_TTL_MS and carrying that key's scopes, and the
 * client passes it once as `?ticket=`. With Redis the tickets are shared, so a ticket issued by one API
 * process is accepted by another (and still only once: GETDEL).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Caller } from './key-verifier.js';

export const TICKET_TTL_MS = 30_000;
const TICKET = /^wt_[A-Za-z0-9_-]{43}$/;
const MAX_OUTSTANDING = 10_000;

export interface TicketStore {
  issue(caller: Caller): Promise<string>;
  /** The caller the ticket was issued to, once; null when unknown, used or expired. */
  redeem(ticket: string): Promise<Caller | null>;
}

function newTicket(): string {
  return 'wt_' + randomBytes(32).toString('base64url');
}

export class MemoryTickets implements TicketStore {
  private readonly tickets = new Map<string, { caller: Caller; until: number }>();
  constructor(private readonly clock: () => number = Date.now) {}

  async issue(caller: Caller): Promise<string> {
    const now = this.clock();
    if (this.tickets.size >= MAX_OUTSTANDING) {
      for (const [t, v] of this.tickets) if (v.until <= now) this.tickets.delete(t);
      // Still full: the oldest go first (Map keeps insertion order).
      for (const t of this.tickets.keys()) {
        if (this.tickets.size < MAX_OUTSTANDING) break;
        this.tickets.delete(t);
      }
    }
    const ticket = newTicket();
    this.tickets.set(ticket, { caller, until: now + TICKET_TTL_MS });
    return ticket;
  }

  async redeem(ticket: string): Promise<Caller | null> {
    if (!TICKET.test(ticket)) return null;
    const hit = this.tickets.get(ticket);
    if (!hit) return null;
    this.tickets.delete(ticket);
    return hit.until > this.clock() ? hit.caller : null;
  }
}

export class RedisTickets implements TicketStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'rampart:ws-ticket:',
  ) {}

  private keyOf(ticket: string): string {
    return this.prefix + createHash('sha256').update(ticket).digest('hex');
  }

  async issue(caller: Caller): Promise<string> {
    const ticket = newTicket();
    await this.redis.set(this.keyOf(ticket), JSON.stringify(caller), 'PX', TICKET_TTL_MS);
    return ticket;
  }

  async redeem(ticket: string): Promise<Caller | null> {
    if (!TICKET.test(ticket)) return null;
    const raw = await this.redis.getdel(this.keyOf(ticket));
    return raw === null ? null : (JSON.parse(raw) as Caller);
  }
}
