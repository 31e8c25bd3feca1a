export { FileReadSource, inputKeyPrefix } from './file-read-source.js';
export type { FileReadSourceOptions, InputStats, ReadProgress } from './file-read-source.js';
export { LineSplitter } from './line-splitter.js';
export type { LineSink } from './line-splitter.js';
export { InputError } from './errors.js';
export { STDIN, isGzip } from './input-stream.js';
export { estimatedLogBytes, fileSize, GZIP_RATIO } from './input-size.js';
