/**
 * Effective configuration: flags > environment > .env > config file > defaults. Reading the two files
 * is the only I/O; everything is validated before any stage opens a file or socket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml, ConfigError } from '../core/index.js';
import { readDotEnv } from './dotenv.js';
import { COMPOSED_ENV, ENV_BINDINGS, type EnvKind } from './env.js';
import { getPath, mergeLayers, setPath, type Layer } from './merge.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'rampart.yaml';

export interface LoadOptions {
  /** Explicit --config path; a missing explicit file is an error, a missing default file is not. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Already-structured overrides from command-line flags. */
  flags?: Layer;
  /** Where `.env` and the default config file are looked for (default: the process's working directory). */
  cwd?: string;
  /** Read `<cwd>/.env` (default true). */
  dotEnv?: boolean;
}

/** Where a key's effective value came from; `variable` names the env variable (or the composed ones). */
export interface ValueOrigin {
  layer: 'flag' | 'env' | '.env' | 'config file' | 'default';
  variable?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Which file was read, if any. */
  file: string | null;
  /** The .env read, if any. */
  dotEnvFile: string | null;
  /** For every key an env variable can set: where its effective value came from. */
  origins: ReadonlyMap<string, ValueOrigin>;
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const dot = opts.dotEnv === false ? { file: null, vars: {} } : readDotEnv(opts.cwd ?? process.cwd());
  const explicit = opts.file ?? nonEmpty(env.RAMPART_CONFIG) ?? nonEmpty(dot.vars.RAMPART_CONFIG);
  const path = explicit ?? (opts.cwd === undefined ? DEFAULT_CONFIG_FILE : join(opts.cwd, DEFAULT_CONFIG_FILE));
  let fileLayer: Layer = {};
  let file: string | null = null;
  if (explicit !== undefined || existsSync(path)) {
    fileLayer = readConfigFile(path);
    file = path;
  }
  const fromDot = envLayerWithOrigins(dot.vars);
  const fromEnv = envLayerWithOrigins(env);
  const flags = opts.flags ?? {};
  const merged = mergeLayers(fileLayer, fromDot.layer, fromEnv.layer, flags);
  const origins = new Map<string, ValueOrigin>();
  for (const key of new Set([...ENV_BINDINGS.map((b) => b.key), ...COMPOSED_ENV.map((c) => c.key)])) {
    const variable = (o: Map<string, string>) => o.get(key)!;
    if (getPath(flags, key) !== undefined) origins.set(key, { layer: 'flag' });
    else if (fromEnv.origins.has(key)) origins.set(key, { layer: 'env', variable: variable(fromEnv.origins) });
    else if (fromDot.origins.has(key)) origins.set(key, { layer: '.env', variable: variable(fromDot.origins) });
    else if (getPath(fileLayer, key) !== undefined) origins.set(key, { layer: 'config file' });
    else origins.set(key, { layer: 'default' });
  }
  return { config: validateConfig(merged), file, dotEnvFile: dot.file, origins };
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

export function readConfigFile(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config file', `cannot read ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError('config file', `${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('config file', `${path} must hold a mapping of sections, found ${typeof doc}`);
  }
  return doc as Layer;
}

export function envLayer(env: NodeJS.ProcessEnv): Layer {
  return envLayerWithOrigins(env).layer;
}

/**
 * One environment's layer, and for each key set the variable that set it. A binding's own name wins
 * over its aliases; a composed URL (DB_*, REDIS_HOST…) only fills a key its own variable left unset.
 */
export function envLayerWithOrigins(env: NodeJS.ProcessEnv): { layer: Layer; origins: Map<string, string> } {
  const layer: Layer = {};
  const origins = new Map<string, string>();
  const get = (name: string) => nonEmpty(env[name]);
  for (const b of ENV_BINDINGS) {
    const name = [b.env, ...(b.aliases ?? [])].find((n) => get(n) !== undefined);
    if (name === undefined) continue;
    setPath(layer, b.key, coerce(get(name)!, b.kind, name));
    origins.set(b.key, name);
  }
  for (const c of COMPOSED_ENV) {
    if (origins.has(c.key)) continue;
    const url = c.compose(get);
    if (url === undefined) continue;
    setPath(layer, c.key, url);
    origins.set(c.key, c.parts.filter((p) => get(p) !== undefined).join('+'));
  }
  return { layer, origins };
}

function coerce(raw: string, kind: EnvKind, name: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new ConfigError(name, `expected a number, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'seconds-ms': {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new ConfigError(name, `expected a number of seconds, got ${JSON.stringify(raw)}`);
      return Math.round(n * 1000);
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(name, `expected true or false, got ${JSON.stringify(raw)}`);
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
}

/** Validates a merged layer; the error names the first offending key and what was wrong with it. */
export function validateConfig(input: Layer): Config {
  // Without zod's JIT: it compiles a parser per object schema with `new Function` (the CLI's code cache
  // cannot keep that), which one parse per start never pays back (`config` CPU 0.84; docs/benchmarks.md).
  const result = configSchema.safeParse(input, { jitless: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    throw new ConfigError(keys.join(', '), 'unknown key (check the spelling; `rampart config` lists the keys)');
  }
  throw new ConfigError(path || '(root)', issue.message);
}
