/**
 * The `detect` config section: extra rule packs, simulation, allowlists, shipped exclusion profiles, and
 * the behaviour detector's own schema. Strict like the rest: a misspelt key is an error, and every
 * message names the offending value (the key path is added by validateConfig).
 */
import * as z from 'zod';
import { behaviourConfigSchema, PROFILE_NAMES, isProfileName, siteConfigSchema } from '../detect/index.config.js';
import { parseCidr } from '../net/index.js';

const pattern = z.string().min(1).max(256);
const show = (s: string) => JSON.stringify(s.slice(0, 80));

const cidr = z.string().superRefine((s, ctx) => {
  try {
    parseCidr(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const path = z
  .string()
  .max(256)
  .refine((s) => s.startsWith('/'), { error: (iss) => `path ${show(String(iss.input))} must start with '/'` });

export const detectConfigSchema = z
  .object({
    rules: z
      .object({
        /** Extra rule pack files, loaded after the bundled ones (and reloaded when they change). */
        paths: z.array(z.string().min(1)).max(256).default([]),
      })
      .strict()
      .prefault({}),
    /** Rule or scenario ids, or globs (`scanner-*`), whose detections are recorded as simulated: no score, no alert. */
    simulation: z.array(pattern).max(1000).default([]),
    /** Shipped exclusion profiles (rules/profiles/<name>.yaml). */
    profiles: z
      .array(
        z.string().refine(isProfileName, {
          error: (iss) => `unknown profile ${show(String(iss.input))} (valid: ${PROFILE_NAMES.join(', ')})`,
        }),
      )
      .max(PROFILE_NAMES.length)
      .default([]),
    allowlist: z
      .object({
        /** IPs or CIDRs whose requests are not inspected at all. */
        ips: z.array(cidr).max(10_000).default([]),
        /** Path prefixes (segment-aligned) or globs (`*`, `**`, `?`) whose requests are not inspected. */
        paths: z.array(path).max(1000).default([]),
        /** Case-insensitive User-Agent substrings whose requests are not inspected. */
        userAgents: z.array(pattern).max(1000).default([]),
        /** A rule or scenario id (or glob) that never fires, optionally only under a path prefix. */
        rules: z
          .array(z.object({ id: pattern, pathPrefix: path.optional() }).strict())
          .max(1000)
          .default([]),
      })
      .strict()
      .prefault({}),
    /** Per-IP behaviour scenarios and windows (src/detect/behaviour/config.ts). */
    behaviour: behaviourConfigSchema.prefault({}),
    /** Site knowledge's thresholds and bounds (src/detect/site/config.ts); defaults as measured in docs/detection.md. */
    site: siteConfigSchema.prefault({}),
  })
  .strict();

export type DetectConfig = z.infer<typeof detectConfigSchema>;
