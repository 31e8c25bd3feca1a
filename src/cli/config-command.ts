/** `rampart config`: the effective configuration, secrets masked, and where each value came from. */
import type { Command } from 'commander';
import { COMPOSED_ENV, ENV_BINDINGS, getPath, maskConfig, toYaml, type LoadedConfig, type Layer } from '../config/index.js';
import { addConfigFlag, addFormatFlags, addStoreFlags, loadWithFlags, type CommonFlags } from './flags.js';
import type { CliIO } from './io.js';

export function registerConfig(program: Command, io: CliIO): void {
  const cmd = program
    .command('config')
    .description('print the effective configuration (flags > env > .env > config file > defaults), secrets masked')
    .option('--json', 'print JSON instead of YAML')
    .option('--env', 'list every environment variable, its aliases, its effective value and where that came from');
  addConfigFlag(cmd);
  addStoreFlags(cmd);
  addFormatFlags(cmd);
  cmd.action((opts: CommonFlags & { json?: boolean; env?: boolean }) => {
    const loaded = loadWithFlags(opts, io);
    const masked = maskConfig(loaded.config) as Layer;
    if (opts.env) {
      io.out(renderEnvTable(loaded, masked));
      return;
    }
    if (opts.json) io.out(JSON.stringify(masked, null, 2) + '\n');
    else io.out(`# config file: ${loaded.file ?? '(none)'}\n# .env: ${loaded.dotEnvFile ?? '(none)'}\n` + toYaml(masked));
  });
}

export interface EnvRow {
  variable: string;
  aliases: string;
  key: string;
  value: string;
  from: string;
}

/** One row per variable; the composed URLs' parts are listed as aliases of DATABASE_URL / REDIS_URL. */
export function envRows(loaded: Pick<LoadedConfig, 'origins'>, masked: Layer): EnvRow[] {
  return ENV_BINDINGS.map((b) => {
    const composed = COMPOSED_ENV.find((c) => c.overriddenBy === b.env);
    const aliases = [...(b.aliases ?? []), ...(composed ? [composed.parts.join('+')] : [])];
    const origin = loaded.origins.get(b.key);
    const value = getPath(masked, b.key);
    return {
      variable: b.env,
      aliases: aliases.join(', ') || '-',
      key: b.key,
      value: value === undefined ? '-' : Array.isArray(value) ? value.join(',') || '-' : String(value),
      from: origin ? (origin.variable ? `${origin.layer} ${origin.variable}` : origin.layer) : 'default',
    };
  });
}

function renderEnvTable(loaded: LoadedConfig, masked: Layer): string {
  const rows = envRows(loaded, masked);
  const head: EnvRow = { variable: 'VARIABLE', aliases: 'ALIASES', key: 'KEY', value: 'VALUE', from: 'FROM' };
  const cols = ['variable', 'aliases', 'key', 'value', 'from'] as const;
  const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 59)}…` : s);
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(...[head, ...rows].map((r) => clip(r[c]).length))]));
  const line = (r: EnvRow) => cols.map((c) => clip(r[c]).padEnd(width[c]!)).join('  ').trimEnd() + '\n';
  return (
    `# precedence: flag > env > .env > config file > default; .env: ${loaded.dotEnvFile ?? '(none)'}; config file: ${loaded.file ?? '(none)'}\n` +
    line(head) +
    rows.map(line).join('')
  );
}
