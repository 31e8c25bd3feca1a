export { FileTailSource } from './file-tail-source.js';
export type { FileTailSourceOptions, TailLogger } from './file-tail-source.js';
export type { TailFileStats } from './followed-path.js';
export { HEAD_BYTES, hashHead } from './head.js';
