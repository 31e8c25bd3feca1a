/** The dead-letter routes over a real store and a local HTTP receiver: list and page, retry (delivered or not), delete. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type Layer } from '../../config/index.js';
import { buildChannels, type Channel } from '../../notify/index.js';
import { startHttpReceiver, type HttpReceiver } from '../../notify/testing/http-receiver.js';
import { notification } from '../../notify/testing/fixtures.js';
import { NOW, openTestApi, type TestApi } from '../testing/fixtures.js';
import { notificationRoutes } from './notifications.js';

let t: TestApi;
let rx: HttpReceiver;
let channels: ReadonlyMap<string, Channel> = new Map();

beforeAll(async () => {
  rx = await startHttpReceiver({ secret: 'secret-for-the-retry-test' });
  const config = validateConfig({ notify: { channels: { ops: { type: 'webhook', url: rx.url, secret: 'secret-for-the-retry-test', timeoutSeconds: 5 } } } } as Layer);
  channels = buildChannels(config.notify, {});
  t = await openTestApi(
    { extraRoutes: [notificationRoutes({ get deadLetters() { return t.store.deadLetters; }, channels: () => channels, clock: () => NOW })] },
    false,
  );
}, 180_000);
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

const add = (channel: string, id: string) =>
  t.store.deadLetters.add({ channel, threatId: id, notification: { ...notification({ id }) }, error: 'webhook ops: answered 500', attempts: 5, failedAt: NOW - 60_000 });

describe('notification dead letters', () => {
  it('lists newest first, by channel, and pages with next_before', async () => {
    const a = await add('ops', 'ev-a');
    const b = await add('gone', 'ev-b');
    const c = await add('ops', 'ev-c');
    const all = await t.app.inject('/api/notifications/dead-letters');
    expect(all.statusCode).toBe(200);
    const body = all.json() as { items: { id: number; threat_id: string; notification: Record<string, unknown> }[]; next_before: number | null };
    expect(body.items.map((i) => i.id)).toEqual([c.id, b.id, a.id]);
    expect(body.next_before).toBeNull();
    expect(body.items[0]).toMatchObject({ channel: 'ops', threat_id: 'ev-c', attempts: 5, error: 'webhook ops: answered 500', failed_at: new Date(NOW - 60_000).toISOString(), retried_at: null });
    expect(body.items[0]!.notification).toMatchObject({ id: 'ev-c', ip: '203.0.113.7', rules: ['sqli-union-select'] });
    const page = (await t.app.inject(`/api/notifications/dead-letters?channel=ops&limit=1`)).json() as typeof body;
    expect(page.items.map((i) => i.id)).toEqual([c.id]);
    expect(page.next_before).toBe(c.id);
    const next = (await t.app.inject(`/api/notifications/dead-letters?channel=ops&limit=1&before=${page.next_before}`)).json() as typeof body;
    expect(next.items.map((i) => i.id)).toEqual([a.id]);
    expect((await t.app.inject('/api/notifications/dead-letters?channel=a%20b')).statusCode).toBe(400);
    expect((await t.app.inject('/api/notifications/dead-letters?limit=0')).statusCode).toBe(400);
  });

  it('retries: a failure updates the row; a delivery removes it; the body is signed afresh', async () => {
    const d = await add('ops', 'ev-retry');
    rx.answers.push({ status: 502, body: 'bad gateway' });
    const failed = await t.app.inject({ method: 'POST', url: `/api/notifications/dead-letters/${d.id}/retry` });
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({ id: d.id, delivered: false, error: expect.stringContaining('answered 502: bad gateway'), dead_letter: { attempts: 6, retried_at: new Date(NOW).toISOString() } });
    const ok = await t.app.inject({ method: 'POST', url: `/api/notifications/dead-letters/${d.id}/retry` });
    expect(ok.json()).toEqual({ id: d.id, delivered: true, error: null, dead_letter: null });
    expect(await t.store.deadLetters.get(d.id)).toBeNull();
    const last = rx.received.at(-1)!;
    expect(last.verified).toEqual({ ok: true });
    expect(JSON.parse(last.body)).toMatchObject({ id: 'ev-retry', ip: '203.0.113.7' });
  });

  it('says so when the id is unknown or its channel is no longer configured; deletes', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/notifications/dead-letters/987654/retry' })).statusCode).toBe(404);
    const gone = await add('gone', 'ev-gone');
    const res = await t.app.inject({ method: 'POST', url: `/api/notifications/dead-letters/${gone.id}/retry` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: expect.stringContaining('channel "gone" is no longer configured') });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/notifications/dead-letters/${gone.id}` })).json()).toEqual({ id: gone.id, deleted: true });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/notifications/dead-letters/${gone.id}` })).statusCode).toBe(404);
    // A path parameter that cannot be an id: no such route (the API's rule for bad path parameters).
    expect((await t.app.inject({ method: 'DELETE', url: '/api/notifications/dead-letters/abc' })).statusCode).toBe(404);
  });
});
