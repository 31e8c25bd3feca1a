export { configSchema, type Config, type ConfigInput } from './schema.js';
export { loadConfig, validateConfig, readConfigFile, envLayer, DEFAULT_CONFIG_FILE } from './load.js';
export type { LoadOptions, LoadedConfig, ValueOrigin } from './load.js';
export { isSecretName, maskConfig, maskUrl, MASK } from './mask.js';
export { COMPOSED_ENV, ENV_BINDINGS, type EnvBinding } from './env.js';
export { DOTENV_FILE, readDotEnv } from './dotenv.js';
export { getPath, setPath, mergeLayers, type Layer } from './merge.js';
export { toYaml } from './to-yaml.js';
