/**
 * From the `detect` config section to allowlist specs: one entry per configured item, so each item has
 * its own suppression counter, labelled with the config key that made it.
 */
import type { AllowEntrySpec } from './allowlist.js';

export interface AllowlistConfig {
  ips: readonly string[];
  paths: readonly string[];
  userAgents: readonly string[];
  rules: readonly { id: string; pathPrefix?: string | undefined }[];
}

export function configAllowSpecs(c: AllowlistConfig): AllowEntrySpec[] {
  const key = 'detect.allowlist';
  return [
    ...c.ips.map((ip, i) => ({ id: `${key}.ips[${i}]`, ips: [ip] })),
    ...c.paths.map((p, i) => ({ id: `${key}.paths[${i}]`, paths: [p] })),
    ...c.userAgents.map((ua, i) => ({ id: `${key}.userAgents[${i}]`, userAgents: [ua] })),
    ...c.rules.map((r, i) => ({
      id: `${key}.rules[${i}]`,
      rules: [r.id],
      ...(r.pathPrefix !== undefined ? { paths: [r.pathPrefix] } : {}),
    })),
  ];
}
