/**
 * What the CrowdSec LAPI (v1, as of CrowdSec 1.4.6; shapes in /work/shared/research/crowdsec-lapi.md) answers,
 * validated: the LAPI is an external input. Every string is bounded; lists are bounded by the response size cap of
 * the client (lapi-client.ts) and again here. Unknown fields pass (newer LAPIs add `uuid`, `until`…); a missing or
 * mistyped field we use fails the whole response with the field's path.
 */
import * as z from 'zod';

const str = (max: number) => z.string().max(max);
/** Lists in one response: the client reads at most 16 MiB, so this only stops a pathological one early. */
const MAX_ITEMS = 100_000;

export const lapiDecisionSchema = z.object({
  id: z.number().int().nonnegative(),
  /** `cscli`, `crowdsec`, `CAPI`, `lists`… */
  origin: str(64),
  /** `Ip`, `Range`, `Country`, `AS`… */
  scope: str(64),
  value: str(256),
  /** `ban`, `captcha`, `throttle`… */
  type: str(64),
  /** Time left, a Go duration (negative once expired or deleted). */
  duration: str(64),
  /** A hub scenario name, or the reason given to `cscli decisions add`. */
  scenario: str(1024),
  simulated: z.boolean().optional(),
});
export type LapiDecision = z.infer<typeof lapiDecisionSchema>;

/** `GET /v1/decisions/stream`: each side is `null` rather than `[]` when empty. */
export const lapiStreamSchema = z.object({
  new: z.array(lapiDecisionSchema).max(MAX_ITEMS).nullable(),
  deleted: z.array(lapiDecisionSchema).max(MAX_ITEMS).nullable(),
});
export type LapiStream = z.infer<typeof lapiStreamSchema>;

export const lapiMetaSchema = z.object({ key: str(255), value: str(4096) });

export const lapiEventSchema = z.object({
  timestamp: str(80),
  meta: z.array(lapiMetaSchema).max(1000).nullable().optional(),
});
export type LapiEvent = z.infer<typeof lapiEventSchema>;

export const lapiSourceSchema = z.object({
  scope: str(64),
  value: str(256),
  ip: str(64).optional(),
  range: str(64).optional(),
  cn: str(8).optional(),
  as_number: str(32).optional(),
  as_name: str(256).optional(),
});

export const lapiAlertSchema = z.object({
  id: z.number().int().nonnegative(),
  scenario: str(1024),
  message: str(4096).optional(),
  created_at: str(80),
  start_at: str(80).optional(),
  stop_at: str(80).optional(),
  events_count: z.number().int().optional(),
  simulated: z.boolean().optional(),
  machine_id: str(256).optional(),
  source: lapiSourceSchema,
  events: z.array(lapiEventSchema).max(MAX_ITEMS).nullable().optional(),
  decisions: z.array(lapiDecisionSchema).max(MAX_ITEMS).nullable().optional(),
});
export type LapiAlert = z.infer<typeof lapiAlertSchema>;

/** `GET /v1/alerts`: newest first; `null` when there is none. */
export const lapiAlertsSchema = z.array(lapiAlertSchema).max(MAX_ITEMS).nullable();

/** `POST /v1/watchers/login`. */
export const lapiLoginSchema = z.object({ code: z.number().int(), expire: str(80), token: str(8192).min(1) });

/** `POST /v1/alerts`: the new alerts' ids, as strings. */
export const lapiPushedSchema = z.array(str(32)).max(MAX_ITEMS).nullable();

/** An error body (`{"message":"access forbidden"}`), read only to say what went wrong. */
export const lapiErrorSchema = z.object({ message: str(500) });
