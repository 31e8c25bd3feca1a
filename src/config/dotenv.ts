/**
 * `.env` in the working directory, as the services Rampart replaces read it: a layer below the real
 * environment (a variable set in the shell or by systemd wins) and above the config file. Parsed with
 * Node's own util.parseEnv; nothing is written into process.env, so the layering stays explicit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../core/index.js';

export const DOTENV_FILE = '.env';
/** A .env is a few dozen lines; anything this large is not one. */
const MAX_DOTENV_BYTES = 1024 * 1024;

export interface DotEnv {
  /** The file read, or null when there is none. */
  file: string | null;
  vars: Record<string, string>;
}

export function readDotEnv(cwd: string): DotEnv {
  const path = join(cwd, DOTENV_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { file: null, vars: {} };
    throw new ConfigError(path, `cannot read: ${(err as Error).message}`);
  }
  if (text.length > MAX_DOTENV_BYTES) throw new ConfigError(path, `larger than ${MAX_DOTENV_BYTES} bytes: not a .env file`);
  return { file: path, vars: parseDotEnv(text) };
}

export function parseDotEnv(text: string): Record<string, string> {
  const parsed = parseEnv(text) as Record<string, string | undefined>;
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) vars[k] = v;
  return vars;
}
