/** Ingest: the input-size estimate alone (node:fs only), for the launcher and analyze's choice of threads. */
export { estimatedLogBytes, fileSize, GZIP_RATIO } from './read/input-size.js';
