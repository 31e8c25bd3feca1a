/** The part of a pino logger the store uses; pass a pino child, or nothing. */
import type { Logger } from 'pino';

export type StoreLogger = Pick<Logger, 'info' | 'warn' | 'debug'>;
