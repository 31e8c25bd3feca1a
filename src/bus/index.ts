export type { BusHandler, LiveBus, LiveBusStats, Unsubscribe } from './types.js';
export { InProcessBus, type InProcessBusOptions } from './in-process.js';
export { DeliveryQueue, type DeliveryQueueOptions, type DeliveryStats, type OverflowPolicy } from './delivery-queue.js';
