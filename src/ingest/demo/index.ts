/**
 * Demo traffic: a seeded simulator of a small shop's nginx `combined` log (browsers, good bots,
 * scanners, brute forcers, injection attempts, a flood), with ground-truth labels per line.
 */
export { ACTORS, type Actor, type DemoLabel, type DemoLine } from './types.js';
export {
  DEFAULT_LINES_PER_SECOND,
  DEFAULT_MIX,
  DEFAULT_START_TIME,
  TrafficSimulator,
  generateLines,
  type GenerateOptions,
  type SimulationOptions,
} from './simulator.js';
export { writeDemoLog, labelJson, type WriteDemoOptions, type WriteDemoResult } from './write.js';
export { startLiveDemo, type LiveDemo, type LiveDemoOptions, type LiveDemoStats } from './live.js';
export type { Seed } from './random.js';
export { DEMO_FORMATS, DEMO_JA4_LOG_FORMAT, ja4Of, type DemoFormat } from './ja4.js';
