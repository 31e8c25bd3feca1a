/**
 * The `decisions` config section: the policy that turns stored threats into remediations. Validated at
 * start-up without I/O; every message names the offending value (validateConfig adds the key path).
 *
 * The default policy (docs/api.md "Decisions and bouncers"): ban sources of high and critical threats that
 * scored at least 0.7, for 4 h, then 24 h, then 7 d when they come back within 30 days; scanners and
 * brute forcers of medium severity get a captcha for 1 h, then 4 h, then 24 h.
 */
import * as z from 'zod';
import { CATEGORIES, SEVERITIES } from '../core/index.js';
import { parseDuration } from './duration.js';

export const REMEDIATIONS = ['ban', 'captcha', 'throttle'] as const;
export type Remediation = (typeof REMEDIATIONS)[number];

const duration = z
  .string()
  .max(40)
  .superRefine((s, ctx) => {
    try {
      parseDuration(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected 1-64 letters, digits, '.', '_' or '-'");

export const decisionRuleSchema = z
  .object({
    id: ruleId,
    /** Threat categories this rule takes (any when absent). */
    categories: z.array(z.enum(CATEGORIES)).min(1).max(CATEGORIES.length).optional(),
    /** Lowest threat severity this rule takes (default: any). */
    minSeverity: z.enum(SEVERITIES).optional(),
    /** Rule or scenario ids (globs with `*`) of which one detection must fire (any when absent). */
    // Globs as detection's allowlist matches them (src/detect/allowlist/glob.ts: linear, never a RegExp).
    scenarios: z.array(z.string().min(1).max(256)).min(1).max(1000).optional(),
    /** Lowest threat score, 0..1 (default 0: any alerting threat). */
    minScore: z.number().min(0).max(1).default(0),
    remediation: z.enum(REMEDIATIONS).default('ban'),
    /** One duration per offence: the first for a first offence, the last for every one after the list. */
    durations: z.array(duration).min(1).max(20).default(['4h', '24h', '7d']),
    /** Record what would have been decided (simulated: true), without giving it to bouncers. */
    simulate: z.boolean().default(false),
  })
  .strict();

export type DecisionRule = z.infer<typeof decisionRuleSchema>;

export const DEFAULT_DECISION_RULES: z.input<typeof decisionRuleSchema>[] = [
  { id: 'ban-high', minSeverity: 'high', minScore: 0.7, remediation: 'ban', durations: ['4h', '24h', '7d'] },
  { id: 'captcha-probing', categories: ['scanner', 'bruteforce', 'crawler'], minSeverity: 'medium', remediation: 'captcha', durations: ['1h', '4h', '24h'] },
];

export const decisionsConfigSchema = z
  .object({
    /** Make decisions from threats as they are stored (the API and bouncer endpoints work either way). */
    enabled: z.boolean().default(true),
    /** Rules in order: the first that matches a threat decides. */
    rules: z
      .array(decisionRuleSchema)
      .max(200)
      .default(() => DEFAULT_DECISION_RULES.map((r) => decisionRuleSchema.parse(r)))
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        for (const [i, r] of rules.entries()) {
          if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `rule id ${JSON.stringify(r.id)} is used twice` });
          seen.add(r.id);
        }
      }),
    /** IPv6 sources are decided on their network of this many bits (128: the single address). */
    ipv6Prefix: z.number().int().min(32).max(128).default(64),
    /** Offences older than this do not count for escalation (the ladder starts again). */
    repeatWindow: duration.default('30d'),
    /** Expired and deleted decisions are kept this long (bouncers see them as deleted), then pruned. */
    keepExpired: duration.default('7d'),
    /** How often expired decisions are pruned. */
    pruneIntervalSeconds: z.number().int().min(1).max(86_400).default(300),
  })
  .strict();

export type DecisionsConfig = z.infer<typeof decisionsConfigSchema>;
