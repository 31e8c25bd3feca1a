/** Slack through an incoming webhook (https://api.slack.com/messaging/webhooks): text + blocks (slack.ts). */
import { postJson } from './http-post.js';
import { slackMessage } from './slack.js';
import type { Channel, Notification } from './types.js';

export function slackChannel(o: { name: string; url: string; timeoutMs: number }): Channel {
  return {
    name: o.name,
    type: 'slack',
    async send(n: Notification, signal?: AbortSignal) {
      const body = JSON.stringify(slackMessage(n));
      await postJson({ url: o.url, body, headers: {}, timeoutMs: o.timeoutMs, label: `slack ${o.name}`, ...(signal ? { signal } : {}) });
    },
  };
}
