/**
 * `notify:` in the config: channels by name, routes that pick which alerts go to which channels, throttling and
 * delivery. Validated without I/O with the rest of the config (unknown keys are errors, a template's unknown
 * field names its place); secrets given as `…Env` (the name of an environment variable) are read when the
 * channels are built (channels.ts), and a missing variable stops start-up naming the key. No channel: off.
 */
import * as z from 'zod';
import { CATEGORIES, SEVERITIES } from '../core/index.js';
import { compileTemplate, TemplateError } from './template.js';

const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Headers Rampart sets itself; a config may not override them. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'x-rampart-timestamp', 'x-rampart-signature', 'x-rampart-delivery']);

const httpUrl = z
  .string()
  .max(2000)
  .regex(/^https?:\/\/[^\s]+$/i, 'expected an http:// or https:// URL');
const envName = z.string().regex(ENV_NAME, 'expected the name of an environment variable');
const timeoutSeconds = z.number().positive().max(300).default(10);

/** One of `value` / `valueEnv`; `required` says whether one must be given. */
function oneOf<T extends Record<string, unknown>>(o: T, key: string, required: boolean, ctx: z.RefinementCtx): void {
  const has = o[key] !== undefined;
  const hasEnv = o[`${key}Env`] !== undefined;
  if (has && hasEnv) ctx.addIssue({ code: 'custom', path: [key], message: `give ${key} or ${key}Env, not both` });
  else if (required && !has && !hasEnv) ctx.addIssue({ code: 'custom', path: [key], message: `required (or ${key}Env: an environment variable holding it)` });
}

const webhookChannel = z
  .object({
    type: z.literal('webhook'),
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    /** HMAC-SHA256 key for X-Rampart-Signature; without one, bodies are not signed. */
    secret: z.string().min(16, 'must be at least 16 characters').max(1024).optional(),
    secretEnv: envName.optional(),
    headers: z
      .record(z.string().regex(HEADER_NAME, 'is not a valid header name'), z.string().max(4096).regex(/^[^\r\n\0]*$/, 'must be one line'))
      .default({}),
    /** The body: any JSON value whose strings may hold {{field}} placeholders (src/notify/template.ts). Default: every field. */
    template: z.unknown().optional(),
    timeoutSeconds,
  })
  .strict()
  .superRefine((c, ctx) => {
    oneOf(c, 'url', true, ctx);
    oneOf(c, 'secret', false, ctx);
    for (const h of Object.keys(c.headers)) {
      if (RESERVED_HEADERS.has(h.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['headers', h], message: 'is set by Rampart' });
    }
    if (c.template !== undefined) {
      try {
        compileTemplate(c.template);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        ctx.addIssue({ code: 'custom', path: ['template', ...(err.at ? [err.at] : [])], message: err.message.slice(err.message.indexOf(': ') + 2) });
      }
    }
  });

const slackChannel = z
  .object({
    type: z.literal('slack'),
    /** The incoming-webhook URL; it is the credential, so prefer urlEnv. */
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    timeoutSeconds,
  })
  .strict()
  .superRefine((c, ctx) => oneOf(c, 'url', true, ctx));

const address = z.string().min(3).max(320).regex(/^[^\s<>@]+@[^\s<>@]+$/, 'expected an e-mail address (name@domain)');

const emailChannel = z
  .object({
    type: z.literal('email'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465). Otherwise `starttls` says what to do with STARTTLS. */
    secure: z.boolean().default(false),
    /** required: refuse to send without STARTTLS; opportunistic: use it when offered; off: never. */
    starttls: z.enum(['required', 'opportunistic', 'off']).default('required'),
    /** Check the server's certificate (turn off only for a test server). */
    tlsVerify: z.boolean().default(true),
    user: z.string().min(1).max(320).optional(),
    password: z.string().min(1).max(1024).optional(),
    passwordEnv: envName.optional(),
    from: address,
    to: z.array(address).min(1).max(50),
    subjectPrefix: z.string().max(100).regex(/^[^\r\n]*$/, 'must be one line').default('[rampart]'),
    timeoutSeconds,
  })
  .strict()
  .superRefine((c, ctx) => {
    oneOf(c, 'password', false, ctx);
    if ((c.password !== undefined || c.passwordEnv !== undefined) && c.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'required when a password is given' });
    }
  });

export const channelConfigSchema = z.discriminatedUnion('type', [webhookChannel, slackChannel, emailChannel]);
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

const ruleOrHost = z.string().min(1).max(253);

export const routeSchema = z
  .object({
    /** Channel names; each must be defined under notify.channels. */
    channels: z.array(z.string().regex(CHANNEL_NAME)).min(1),
    /** Alerts at least this severe. */
    minSeverity: z.enum(SEVERITIES).default('high'),
    /** Only these categories (empty: any). */
    categories: z.array(z.enum(CATEGORIES)).default([]),
    /** Only alerts where one of these rule ids fired; `*` wildcards (`sqli-*`, `behaviour/*`). Empty: any. */
    rules: z.array(ruleOrHost).default([]),
    /** Only requests to these hosts; `*` wildcards (`*.example.com`). Empty: any. */
    hosts: z.array(ruleOrHost).default([]),
  })
  .strict();
export type RouteConfig = z.infer<typeof routeSchema>;

export const notifyConfigSchema = z
  .object({
    channels: z.record(z.string().regex(CHANNEL_NAME, "a channel name is 1-64 letters, digits, '.', '_' or '-'"), channelConfigSchema).default({}),
    /** Which alerts go where. None given: every alert of severity high or above to every channel. */
    routes: z.array(routeSchema).max(100).default([]),
    throttle: z
      .object({
        /** At most one notification per IP and rule per window per channel; the next one counts what was left out. 0: off. */
        windowSeconds: z.number().int().min(0).max(7 * 86_400).default(600),
        /** IP+rule pairs remembered; the oldest are forgotten first. */
        maxKeys: z.number().int().min(100).max(10_000_000).default(100_000),
      })
      .strict()
      .prefault({}),
    delivery: z
      .object({
        /** Tries per notification, the first included; then it is a dead letter. */
        attempts: z.number().int().min(1).max(20).default(5),
        initialDelaySeconds: z.number().positive().max(3600).default(1),
        maxDelaySeconds: z.number().positive().max(86_400).default(300),
        /** Notifications that may wait per channel while it is slow or down; the oldest are dropped beyond. */
        queueCapacity: z.number().int().min(1).max(1_000_000).default(1000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.routes.forEach((r, i) =>
      r.channels.forEach((name, j) => {
        if (!Object.hasOwn(c.channels, name)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'channels', j], message: `no channel named ${JSON.stringify(name)} under notify.channels` });
      }),
    );
  });

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;

export function notifyEnabled(c: NotifyConfig): boolean {
  return Object.keys(c.channels).length > 0;
}
