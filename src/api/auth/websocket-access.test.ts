/**
 * The access hook on a real WebSocket route (@fastify/websocket runs the upgrade request through the route's
 * hooks): refused without a key (401) or with a key lacking the scope (403), opened with a key in a header
 * or a ticket, and a ticket opens one socket only.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../testing/fixtures.js';
import { issueApiKey } from './api-key.js';

let t: TestApi;
let port = 0;
const keys: Record<string, string> = {};

async function wsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(websocket);
  app.get('/ws/test', { websocket: true, config: { scope: 'read' } }, (socket) => {
    socket.send('hello');
    socket.close();
  });
}

beforeAll(async () => {
  t = await openTestApi({ extraRoutes: [wsRoutes], accessFor: (store) => ({ mode: 'keys', keys: store.apiKeys, limits: false }) }, false);
  for (const s of ['read', 'ingest'] as const) keys[s] = (await issueApiKey(t.store.apiKeys, { name: s, scopes: [s], expiresAt: null }, Date.now())).key;
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** The status a WebSocket handshake gets: 101 when the socket opens. */
function handshake(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

it('refuses a handshake without a valid key, and one whose key lacks the scope', async () => {
  expect(await handshake('/ws/test')).toBe(401);
  expect(await handshake('/ws/test', { 'x-api-key': 'rk_not-a-key' })).toBe(401);
  expect(await handshake('/ws/test', { authorization: `Bearer ${keys.ingest}` })).toBe(403);
});

it('opens with a key in a header, or once with a ticket', async () => {
  expect(await handshake('/ws/test', { authorization: `Bearer ${keys.read}` })).toBe(101);
  const res = await fetch(`http://127.0.0.1:${port}/api/ws-ticket`, { method: 'POST', headers: { 'x-api-key': keys.read! } });
  const { ticket } = (await res.json()) as { ticket: string };
  expect(await handshake(`/ws/test?ticket=${ticket}`)).toBe(101);
  expect(await handshake(`/ws/test?ticket=${ticket}`)).toBe(401);
});
