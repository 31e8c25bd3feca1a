/** The generic webhook: the templated JSON body, signed when a secret is set (signature.ts), POSTed. */
import { postJson } from './http-post.js';
import { signatureHeaders } from './signature.js';
import { compileTemplate, renderBody, type CompiledTemplate } from './template.js';
import { FIELDS, type Channel, type Notification } from './types.js';

export interface WebhookOptions {
  name: string;
  url: string;
  secret?: string;
  headers?: Record<string, string>;
  /** A JSON value with {{field}} placeholders; default: every field. */
  template?: unknown;
  timeoutMs: number;
  clock?: () => number;
}

/** The default body: `{"type":"rampart.alert", <every field>}`. */
export const DEFAULT_TEMPLATE: Record<string, string> = {
  type: 'rampart.alert',
  ...Object.fromEntries(FIELDS.map((f) => [f, `{{${f}}}`])),
};

export function webhookChannel(o: WebhookOptions): Channel {
  const template: CompiledTemplate = compileTemplate(o.template ?? DEFAULT_TEMPLATE);
  const clock = o.clock ?? Date.now;
  return {
    name: o.name,
    type: 'webhook',
    async send(n: Notification, signal?: AbortSignal) {
      const body = renderBody(template, n);
      const headers: Record<string, string> = { ...o.headers, 'x-rampart-delivery': `${n.id}.${o.name}` };
      if (o.secret !== undefined) Object.assign(headers, signatureHeaders(o.secret, Math.floor(clock() / 1000), body));
      await postJson({ url: o.url, body, headers, timeoutMs: o.timeoutMs, label: `webhook ${o.name}`, ...(signal ? { signal } : {}) });
    },
  };
}
