/**
 * Live alerts: GET /ws/alerts (and /ws/threats, the same stream) over WebSocket, and GET
 * /api/alerts/stream over Server-Sent Events, both fed by the process's AlertHub (src/api/live/hub.ts).
 * Filters come in the query string (and, on WebSocket, in `subscribe` messages); `resume` (or SSE's
 * Last-Event-ID) replays what a reconnecting client missed. Both transports answer to the `read` scope.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import * as z from 'zod';
import { BadRequestError } from '../../core/index.js';
import { errorResponses } from '../errors.js';
import { filterFields, parseSubscribeFilter, toAlertFilter, type AlertFilter } from '../live/filter.js';
import type { AlertHub, LiveClient, LiveConnection } from '../live/hub.js';

/** Largest message a client may send (a subscribe message with its filter). */
export const MAX_CLIENT_MESSAGE = 16 * 1024;
/** A closed client whose socket has not finished closing is cut after this. */
const CLOSE_GRACE_MS = 5_000;
const MAX_TOKEN = 64;

const streamQuery = z
  .object({
    ...filterFields,
    resume: z.string().min(1).max(MAX_TOKEN).optional().describe('The id of the last message received: what was missed since is sent first (or a `gap` message).'),
    ticket: z.string().max(1024).optional().describe('A short-lived ticket from POST /api/ws-ticket, for clients that cannot send headers (read by access control).'),
  })
  .strict()
  .transform((q) => ({ filter: toAlertFilter(q), resume: q.resume }));

type StreamQuery = z.output<typeof streamQuery>;

export interface LiveAlertRouteDeps {
  hub: AlertHub;
}

export async function liveAlertRoutes(app: FastifyInstance, deps: LiveAlertRouteDeps): Promise<void> {
  const { hub } = deps;
  // Before the server waits for its connections (live streams never end by themselves), and before
  // @fastify/websocket's own preClose, which would close sockets without a code.
  app.addHook('preClose', async () => hub.close());
  await app.register(websocket, { options: { maxPayload: MAX_CLIENT_MESSAGE } });

  const wsSummary = 'Live alerts over WebSocket: threats, behaviour alerts and decisions as they are stored';
  for (const url of ['/ws/alerts', '/ws/threats']) {
    app.route<{ Querystring: StreamQuery }>({
      method: 'GET',
      url,
      config: { scope: 'read' },
      schema: { tags: ['alerts'], summary: wsSummary, querystring: streamQuery, response: errorResponses },
      handler: async () => {
        throw new BadRequestError(`${url} is a WebSocket endpoint: connect with an Upgrade request, or use /api/alerts/stream (Server-Sent Events)`);
      },
      wsHandler: (socket, request) => {
        const { filter, resume } = request.query;
        // The upgraded request's socket is the one the WebSocket writes to.
        const client = hub.connect(wsConnection(socket, request.raw.socket), filter, resume);
        socket.on('message', (data, isBinary) => onClientMessage(client, isBinary ? null : data.toString()));
        socket.on('close', () => client.disconnect());
        socket.on('error', () => client.disconnect());
      },
    });
  }

  app.get<{ Querystring: StreamQuery }>(
    '/api/alerts/stream',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['alerts'],
        summary: 'Live alerts as Server-Sent Events (same messages and filters as /ws/alerts; Last-Event-ID resumes)',
        querystring: streamQuery,
        response: errorResponses,
      },
    },
    (request, reply) => {
      const { filter, resume } = request.query;
      const lastEventId = request.headers['last-event-id'];
      const token = resume ?? (typeof lastEventId === 'string' && lastEventId.length <= MAX_TOKEN ? lastEventId : undefined);
      startSse(hub, request, reply, filter, token);
    },
  );
}

/**
 * Holds a socket's writes until the end of the current tick: a batch of alerts (the sink publishes a
 * stored batch at once) leaves in one write per client instead of one per alert. What waits corked was
 * not yet offered to the socket, so it does not count as the client being behind: `heldBytes` is taken
 * off the buffered amount the hub compares with its limit.
 */
function corker(stream: { cork(): void; uncork(): void }) {
  let corked = false;
  let held = 0;
  return {
    hold(bytes: number): void {
      held += bytes;
      if (corked) return;
      corked = true;
      stream.cork();
      process.nextTick(() => {
        corked = false;
        held = 0;
        stream.uncork();
      });
    },
    heldBytes: () => held,
  };
}

function wsConnection(socket: WebSocket, raw: { cork(): void; uncork(): void }): LiveConnection {
  let answered = true;
  socket.on('pong', () => (answered = true));
  const cork = corker(raw);
  return {
    transport: 'websocket',
    send(text, done) {
      cork.hold(Buffer.byteLength(text));
      socket.send(text, () => done());
    },
    bufferedBytes: () => Math.max(0, socket.bufferedAmount - cork.heldBytes()),
    close(code, reason) {
      // A close frame's reason is at most 123 bytes.
      socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    },
    ping() {
      if (!answered) return false;
      answered = false;
      socket.ping();
      return true;
    },
  };
}

/** A client's message: `{"type":"subscribe","filter":{…}}` or `{"type":"ping"}`; anything else gets an `error` message. */
function onClientMessage(client: LiveClient, text: string | null): void {
  let msg: unknown;
  try {
    msg = text === null ? null : JSON.parse(text);
  } catch {
    msg = null;
  }
  const type = typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;
  if (type === 'subscribe') {
    const filter = parseSubscribeFilter((msg as { filter?: unknown }).filter);
    if ('error' in filter) client.tell({ type: 'error', message: `subscribe refused, the previous filter stays: ${filter.error}` });
    else client.subscribe(filter);
  } else if (type === 'ping') {
    client.tell({ type: 'heartbeat', time: new Date().toISOString(), id: null });
  } else {
    client.tell({ type: 'error', message: 'expected a JSON text message {"type":"subscribe","filter":{…}} or {"type":"ping"}' });
  }
}

function startSse(hub: AlertHub, request: FastifyRequest, reply: FastifyReply, filter: AlertFilter, resume: string | undefined): void {
  reply.hijack();
  const res = reply.raw;
  // A hijacked reply skips the onSend hooks (security.ts): their headers are written here, with those
  // hooks that ran before (CORS, for instance) set on the reply.
  res.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-request-id': request.id,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    // Proxies (nginx) must not buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  let ended = false;
  const cork = corker(res);
  const connection: LiveConnection = {
    transport: 'sse',
    send(text, done) {
      // Alerts carry their resume token as the event id, so EventSource sends it back as Last-Event-ID.
      const id = /^\{"id":"([0-9a-z]+-\d+)"/.exec(text)?.[1];
      const frame = `${id ? `id: ${id}\n` : ''}data: ${text}\n\n`;
      cork.hold(Buffer.byteLength(frame));
      res.write(frame, () => done());
    },
    bufferedBytes: () => Math.max(0, res.writableLength - cork.heldBytes()),
    close(code, reason) {
      if (ended) return;
      ended = true;
      res.end(`data: ${JSON.stringify({ type: 'closing', code, reason })}\n\n`);
      setTimeout(() => res.destroy(), CLOSE_GRACE_MS).unref();
    },
  };
  const client = hub.connect(connection, filter, resume);
  res.on('close', () => client.disconnect());
  request.log.debug({ transport: 'sse' }, 'live client connected');
}
