export { configSchema, type Config, type ConfigInput } from './schema.js';
export { loadConfig, validateConfig, readConfigFile, envLayer, DEFAULT_CONFIG_FILE } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
export { isSecretName, maskConfig, maskUrl, MASK } from './mask.js';
export { ENV_BINDINGS } from './env.js';
export { setPath, mergeLayers, type Layer } from './merge.js';
