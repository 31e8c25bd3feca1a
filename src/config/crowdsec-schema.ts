/**
 * The `crowdsec` config section (docs/crowdsec.md): a CrowdSec Local API read as a source (its decision stream as a
 * bouncer, its alerts as a machine) and written as a sink (Rampart's threats pushed as alerts). Everything is off by
 * default; turning a part on requires what it needs, and the error names the missing key.
 */
import * as z from 'zod';
import { SEVERITIES } from '../core/index.js';

const secret = z.string().min(1).max(512);

export const crowdsecConfigSchema = z
  .object({
    /** `http://127.0.0.1:8080`: the LAPI's `listen_uri` (api.server in CrowdSec's config.yaml). */
    lapiUrl: z
      .string()
      .max(300)
      .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/, 'expected http(s)://host:port, e.g. http://127.0.0.1:8080')
      .optional(),
    /** A bouncer key (`cscli bouncers add rampart -o raw`), for the decision stream. */
    bouncerKey: secret.optional(),
    /** A machine (`cscli machines add rampart --password …`), for reading alerts and pushing them. */
    machine: z.object({ login: z.string().min(1).max(256), password: secret }).strict().optional(),
    /** Per request to the LAPI. */
    timeoutSeconds: z.number().positive().max(300).default(10),
    source: z
      .object({
        /** Read the decision stream (`/v1/decisions/stream`, startup then deltas) as a bouncer. */
        decisions: z.boolean().default(false),
        /** Read alerts with their events (`/v1/alerts`) as a machine. */
        alerts: z.boolean().default(false),
        pollIntervalSeconds: z.number().min(1).max(3600).default(10),
        /** On the first run, alerts of this many hours back are read. */
        alertsLookbackHours: z.number().positive().max(24 * 365).default(24),
        /** Alerts asked for per poll. */
        alertsLimit: z.number().int().min(1).max(10_000).default(500),
      })
      .strict()
      .prefault({}),
    sink: z
      .object({
        /** Push Rampart's threats to the LAPI as alerts (`POST /v1/alerts`) as a machine. */
        enabled: z.boolean().default(false),
        /** Threats below this severity are not pushed. */
        minSeverity: z.enum(SEVERITIES).default('high'),
        /** The decision each pushed alert carries (`none`: CrowdSec's profiles decide, as for its agent's alerts). */
        decision: z.enum(['ban', 'captcha', 'throttle', 'none']).default('ban'),
        decisionDurationSeconds: z.number().int().min(1).max(365 * 86_400).default(4 * 3600),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const need = (on: boolean, has: boolean, path: string[], what: string) => {
      if (on && !has) ctx.addIssue({ code: 'custom', path, message: `required when ${what} is on` });
    };
    const any = c.source.decisions || c.source.alerts || c.sink.enabled;
    need(any, c.lapiUrl !== undefined, ['lapiUrl'], 'a CrowdSec source or the sink');
    need(c.source.decisions, c.bouncerKey !== undefined, ['bouncerKey'], 'crowdsec.source.decisions');
    need(c.source.alerts, c.machine !== undefined, ['machine'], 'crowdsec.source.alerts');
    need(c.sink.enabled, c.machine !== undefined, ['machine'], 'crowdsec.sink.enabled');
  });

export type CrowdsecConfig = z.infer<typeof crowdsecConfigSchema>;
