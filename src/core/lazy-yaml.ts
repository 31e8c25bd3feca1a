/**
 * YAML parsing with the `yaml` package loaded on first use: importing it costs about 50 ms of CPU,
 * which every command paid at start-up although most runs read no YAML (no config file, rule packs
 * served from the cache).
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

export function parseYaml(text: string, options?: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.ToJSOptions): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml.parse(text, options);
}
