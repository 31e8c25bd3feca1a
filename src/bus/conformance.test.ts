import { InProcessBus } from './in-process.js';
import { describeLiveBusConformance } from './testing/conformance.js';

describeLiveBusConformance('in-process', ({ capacity }) => new InProcessBus<number>(() => {}, { capacityPerSubscriber: capacity }));
