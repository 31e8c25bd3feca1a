/**
 * Shipped exclusion profiles (`rules/profiles/<name>.yaml`): allowlist entries for applications whose
 * normal traffic trips naive rules. A profile entry must be scoped (rules or categories) and say why:
 * a profile never allows a whole request, so an attack against the same app is still seen by every
 * rule outside the entry's scope.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYaml, CATEGORIES } from '../../core/index.js';
import * as z from 'zod';
import type { AllowEntrySpec } from './allowlist.js';

/** The profiles that ship; config validation lists these when a name is unknown. */
export const PROFILE_NAMES = ['wordpress', 'nextcloud', 'immich', 'jellyfin', 'matrix', 'grafana', 'gitlab'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

export function profileDir(): string {
  return fileURLToPath(new URL('../../../rules/profiles/', import.meta.url));
}

const listOf = (item: z.ZodType<string>) => z.array(item).min(1).max(256).optional();

const entrySchema = z
  .object({
    why: z.string().min(10).max(500),
    paths: listOf(z.string().startsWith('/').max(256)),
    methods: listOf(z.string().regex(/^[A-Z]{1,16}$/)),
    userAgents: listOf(z.string().min(1).max(256)),
    rules: listOf(z.string().min(1).max(256)),
    categories: z.array(z.enum(CATEGORIES)).min(1).max(32).optional(),
  })
  .strict()
  .refine((e) => e.rules !== undefined || e.categories !== undefined, {
    message: 'a profile entry needs rules or categories: profiles never allow a whole request',
  })
  .refine((e) => e.paths !== undefined || e.userAgents !== undefined, {
    message: 'a profile entry needs paths or userAgents: it must be about this application\'s traffic',
  });

const profileSchema = z
  .object({
    profile: z.string().min(1),
    description: z.string().min(1),
    entries: z.array(entrySchema).min(1).max(200),
  })
  .strict();

export class ProfileError extends Error {}

/** Parses one profile's YAML text; errors name the file and the entry. */
export function parseProfile(text: string, file: string, name: string): AllowEntrySpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ProfileError(`${file}: YAML: ${(err as Error).message}`);
  }
  const parsed = profileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.map(String).join('.') : '(profile)';
    throw new ProfileError(`${file}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.profile !== name) {
    throw new ProfileError(`${file}: profile is named ${JSON.stringify(parsed.data.profile)}, expected ${JSON.stringify(name)}`);
  }
  return parsed.data.entries.map((e, i) => ({ id: `profile:${name}#${i + 1}`, ...e }));
}

export function loadProfile(name: string, dir = profileDir()): AllowEntrySpec[] {
  if (!isProfileName(name)) throw new ProfileError(`unknown profile ${JSON.stringify(name)} (valid: ${PROFILE_NAMES.join(', ')})`);
  const file = join(dir, `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError(`${file}: ${(err as Error).message}`);
  }
  return parseProfile(text, file, name);
}
