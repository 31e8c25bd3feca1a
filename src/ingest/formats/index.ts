export { getFormat, FORMAT_NAMES, DEFAULT_FORMAT, type FormatOptions, type FormatSpec } from './registry.js';
export { CompiledLogFormat, type CompileOptions } from './compiled-format.js';
export { JsonLogFormat } from './json-format.js';
export { COMBINED, COMMON, MAIN } from './builtin.js';
export { extractFormatString, tokenizeLogFormat, type FormatToken } from './log-format-syntax.js';
export { unescapeLogField } from './unescape.js';
export { carriedInputs, type CarriedInputs } from './carried-inputs.js';
