/**
 * Effective configuration: flags > env > config file > defaults. Reading the file is the only I/O;
 * everything is validated before any stage opens a file or socket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseYaml } from '../core/lazy-yaml.js';
import { ConfigError } from '../core/errors.js';
import { ENV_BINDINGS, type EnvKind } from './env.js';
import { mergeLayers, setPath, type Layer } from './merge.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'rampart.yaml';

export interface LoadOptions {
  /** Explicit --config path; a missing explicit file is an error, a missing default file is not. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Already-structured overrides from command-line flags. */
  flags?: Layer;
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Which file was read, if any. */
  file: string | null;
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const explicit = opts.file ?? env.RAMPART_CONFIG;
  const path = explicit ?? DEFAULT_CONFIG_FILE;
  let fileLayer: Layer = {};
  let file: string | null = null;
  if (explicit !== undefined || existsSync(path)) {
    fileLayer = readConfigFile(path);
    file = path;
  }
  const merged = mergeLayers(fileLayer, envLayer(env), opts.flags ?? {});
  return { config: validateConfig(merged), file };
}

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
  const layer: Layer = {};
  for (const b of ENV_BINDINGS) {
    const raw = env[b.env];
    if (raw === undefined || raw === '') continue;
    setPath(layer, b.key, coerce(raw, b.kind, b.env));
  }
  return layer;
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
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    throw new ConfigError(keys.join(', '), 'unknown key (check the spelling; `rampart config` lists the keys)');
  }
  throw new ConfigError(path || '(root)', issue.message);
}
