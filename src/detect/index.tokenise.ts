/** Detection: the tokenisers alone (pure per event), for a thread that runs them beside parsing (`analyze`'s parse worker). */
export { tokeniserDetector } from './tokenise/index.js';
