/**
 * The live alert hub of one API process: takes alerts from the live bus, gives each a sequence id, keeps
 * the last ones for resume, and sends each to every connected client whose filter wants it.
 *
 * Each alert is serialised at most once, and only when a client wants it: with no client connected an
 * alert costs a ring slot (the bus message, often a pending alert that has not built its JSON, see
 * message.ts), and a client resuming later gets it built then. Each client is a `LiveConnection` (a WebSocket or an SSE response)
 * with a bounded send buffer: a client that has more than `clientMaxMessages` messages or
 * `clientMaxBytes` bytes not yet written to its socket is closed with CLOSE_SLOW (4008) and a reason,
 * so a slow reader never grows the server's memory. `publish` never waits for a client.
 */
import { randomBytes } from 'node:crypto';
import { filterToJson, matchable, matches, type AlertFilter } from './filter.js';
import { liveAlertOf, type LiveMessage, type ServerMessage } from './message.js';
import { ResumeRing, type BuiltAlert, type RingEntry } from './ring.js';

/** Close codes (WebSocket; SSE ends the response after a `closing` message with the same code). */
export const CLOSE_GOING_AWAY = 1001;
/** The client fell behind: its send buffer passed the limit. */
export const CLOSE_SLOW = 4008;
/** The client did not answer pings. */
export const CLOSE_NO_PONG = 4009;

export interface LiveHubOptions {
  /** Messages kept for resume. Default 10,000. */
  resumeBuffer?: number;
  /** How long a message stays resumable. Default 300 s. */
  resumeSeconds?: number;
  /** Heartbeat (application message and WebSocket ping) interval. Default 30 s; 0 disables. */
  heartbeatSeconds?: number;
  /** Bytes a client may have waiting to be written. Default 1 MiB. */
  clientMaxBytes?: number;
  /** Messages a client may have waiting to be written. Default 1,000. */
  clientMaxMessages?: number;
  clock?: () => number;
  /** The resume-token prefix; random per process by default (a token from another process is a gap). */
  hubId?: string;
}

export const LIVE_DEFAULTS = {
  resumeBuffer: 10_000,
  resumeSeconds: 300,
  heartbeatSeconds: 30,
  clientMaxBytes: 1 << 20,
  clientMaxMessages: 1_000,
} as const;

/** One client's transport. */
export interface LiveConnection {
  readonly transport: 'websocket' | 'sse';
  /** Queues `text`; `done` runs once it has been written to the socket (or failed). Never throws. */
  send(text: string, done: () => void): void;
  /** Bytes queued in this process for the client, not yet written to the socket. */
  bufferedBytes(): number;
  /** Closes with a code and a reason; the transport then calls `LiveClient.disconnect`. */
  close(code: number, reason: string): void;
  /** Transport-level liveness (WebSocket ping); returns false when the previous ping went unanswered. */
  ping?(): boolean;
}

export interface LiveStats {
  clients: { websocket: number; sse: number };
  /** Alerts received from the bus. */
  published: number;
  /** Alerts built and serialised (a client wanted them, live or on resume); the others never were. */
  serialised: number;
  /** Messages handed to clients' sockets (alerts, replays, control messages). */
  sent: number;
  /** Alerts a client's filter wanted but that were not sent because it was closed as too slow. */
  dropped: number;
  slowClosed: number;
  resumed: number;
  gaps: number;
  /** Messages held for resume now. */
  resumeBuffer: number;
  /** Largest send buffer of any client seen (bytes), for the memory bound. */
  peakClientBytes: number;
}

export class LiveClient {
  pending = 0;
  closed = false;

  constructor(
    private readonly hub: AlertHub,
    readonly connection: LiveConnection,
    public filter: AlertFilter,
  ) {}

  /** Replaces the filter (a `subscribe` message) and confirms it. */
  subscribe(filter: AlertFilter): void {
    this.filter = filter;
    this.hub.sendControl(this, { type: 'subscribed', filter: filterToJson(filter), id: this.hub.lastId() });
  }

  /** Sends a control message (an error about the client's own message). */
  tell(message: ServerMessage): void {
    this.hub.sendControl(this, message);
  }

  /** The transport closed (either side): forget the client. */
  disconnect(): void {
    this.closed = true;
    this.hub.forget(this);
  }
}

export class AlertHub {
  readonly id: string;
  private seq = 0;
  private readonly ring: ResumeRing;
  private readonly clients = new Set<LiveClient>();
  private readonly clock: () => number;
  private readonly maxBytes: number;
  private readonly maxMessages: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly counts = { published: 0, serialised: 0, sent: 0, dropped: 0, slowClosed: 0, resumed: 0, gaps: 0, peakClientBytes: 0 };

  constructor(options: LiveHubOptions = {}) {
    this.id = options.hubId ?? randomBytes(4).toString('hex');
    if (!/^[0-9a-z]{1,16}$/.test(this.id)) throw new Error(`hub id ${JSON.stringify(this.id)} must be 1-16 lower-case letters or digits`);
    this.clock = options.clock ?? Date.now;
    this.ring = new ResumeRing(options.resumeBuffer ?? LIVE_DEFAULTS.resumeBuffer, (options.resumeSeconds ?? LIVE_DEFAULTS.resumeSeconds) * 1000);
    this.maxBytes = options.clientMaxBytes ?? LIVE_DEFAULTS.clientMaxBytes;
    this.maxMessages = options.clientMaxMessages ?? LIVE_DEFAULTS.clientMaxMessages;
    const heartbeat = options.heartbeatSeconds ?? LIVE_DEFAULTS.heartbeatSeconds;
    if (heartbeat > 0) {
      this.timer = setInterval(() => this.heartbeat(), heartbeat * 1000);
      this.timer.unref();
    }
  }

  /** The resume token of the newest message, or null before the first. */
  lastId(): string | null {
    return this.seq === 0 ? null : `${this.id}-${this.seq}`;
  }

  /**
   * An alert from the bus: numbered, kept for resume, sent to each client that wants it. Never waits.
   * With no client connected nothing is built: under bulk ingest that was 285 ms of the committing
   * thread per 10,000 threats (docs/benchmarks.md), for nobody.
   */
  publish(message: LiveMessage): void {
    const now = this.clock();
    const entry: RingEntry = { seq: ++this.seq, at: now, message, built: null };
    this.ring.push(entry);
    this.ring.expire(now);
    this.counts.published++;
    if (this.clients.size === 0) return;
    const built = this.built(entry);
    for (const c of this.clients) {
      if (matches(c.filter, built.alert)) this.deliver(c, built.text, built.bytes, true);
    }
  }

  /**
   * A new client: confirms its filter, then replays what it missed after `resume` (a previous message's
   * id) or sends a `gap` message when that is no longer held.
   */
  connect(connection: LiveConnection, filter: AlertFilter, resume?: string): LiveClient {
    const client = new LiveClient(this, connection, filter);
    this.clients.add(client);
    this.sendControl(client, { type: 'subscribed', filter: filterToJson(filter), id: this.lastId() });
    if (resume !== undefined) this.resume(client, resume);
    return client;
  }

  /** Closes every client (shutdown). */
  close(reason = 'server shutting down'): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of [...this.clients]) this.closeClient(c, CLOSE_GOING_AWAY, reason);
  }

  stats(): LiveStats {
    const clients = { websocket: 0, sse: 0 };
    for (const c of this.clients) clients[c.connection.transport]++;
    return { clients, ...this.counts, resumeBuffer: this.ring.size };
  }

  /** @internal */
  sendControl(client: LiveClient, message: ServerMessage): void {
    const text = JSON.stringify(message);
    this.deliver(client, text, Buffer.byteLength(text), false);
  }

  /** @internal */
  forget(client: LiveClient): void {
    this.clients.delete(client);
  }

  private resume(client: LiveClient, token: string): void {
    const m = /^([0-9a-z]{1,16})-(\d{1,15})$/.exec(token);
    const seq = m ? Number(m[2]) : NaN;
    const missed = m && m[1] === this.id ? this.ring.after(seq, this.seq, this.clock()) : null;
    if (missed === null) {
      this.counts.gaps++;
      const oldest = this.ring.oldest();
      const why = !m
        ? 'is not a resume token (<stream>-<sequence>)'
        : m[1] !== this.id
          ? 'is from another stream (the server restarted, or this is another process): alerts since then may be missing'
          : 'is older than the resume buffer holds: alerts since then may be missing';
      this.sendControl(client, {
        type: 'gap',
        message: `resume token ${JSON.stringify(token.slice(0, 40))} ${why}; use GET /api/threats?since=… to fill the gap`,
        resume: token.slice(0, 40),
        oldest: oldest ? `${this.id}-${oldest.seq}` : null,
      });
      return;
    }
    this.counts.resumed++;
    for (const e of missed) {
      if (client.closed) break;
      const built = this.built(e);
      if (matches(client.filter, built.alert)) this.deliver(client, built.text, built.bytes, true);
    }
  }

  /** The entry's alert as sent, built on first use; the bus message is let go once built. */
  private built(e: RingEntry): BuiltAlert {
    if (e.built !== null) return e.built;
    const alert = liveAlertOf(e.message!);
    // The envelope's time is when the hub received the alert, whenever it is built.
    const text = JSON.stringify({ id: `${this.id}-${e.seq}`, time: new Date(e.at).toISOString(), ...alert });
    e.built = { alert: matchable(alert), text, bytes: Buffer.byteLength(text) };
    e.message = null;
    this.counts.serialised++;
    return e.built;
  }

  private deliver(client: LiveClient, text: string, bytes: number, isAlert: boolean): void {
    if (client.closed) return;
    const buffered = client.connection.bufferedBytes();
    if (client.pending >= this.maxMessages || buffered + bytes > this.maxBytes) {
      if (isAlert) this.counts.dropped++;
      this.counts.slowClosed++;
      this.closeClient(
        client,
        CLOSE_SLOW,
        `too slow: ${client.pending} messages (${buffered} bytes) waiting to be sent, limit ${this.maxMessages} messages or ${this.maxBytes} bytes`,
      );
      return;
    }
    client.pending++;
    this.counts.sent++;
    if (buffered + bytes > this.counts.peakClientBytes) this.counts.peakClientBytes = buffered + bytes;
    client.connection.send(text, () => client.pending--);
  }

  private closeClient(client: LiveClient, code: number, reason: string): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    client.connection.close(code, reason);
  }

  private heartbeat(): void {
    const text = JSON.stringify({ type: 'heartbeat', time: new Date(this.clock()).toISOString(), id: this.lastId() } satisfies ServerMessage);
    const bytes = Buffer.byteLength(text);
    for (const c of [...this.clients]) {
      if (c.connection.ping && !c.connection.ping()) {
        this.closeClient(c, CLOSE_NO_PONG, 'no answer to the last ping');
        continue;
      }
      this.deliver(c, text, bytes, false);
    }
  }
}
