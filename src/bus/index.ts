export type { LiveBus, Unsubscribe } from './types.js';
export { InProcessBus } from './in-process.js';
