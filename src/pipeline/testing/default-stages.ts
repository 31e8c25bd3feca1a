import { loadConfig } from '../../config/index.js';
import { buildDetection } from '../build.js';
import { buildIngest } from '../build-ingest.js';
import type { PipelineDeps } from '../pipeline.js';

/** The parse and detect stages a default configuration (empty environment) builds; tests add the rest. */
export function defaultStages(): Pick<PipelineDeps, 'format' | 'normalise' | 'evaluator'> {
  const { config } = loadConfig({ env: {} });
  const ingest = buildIngest(config);
  return { format: ingest.format, normalise: ingest.normalise, evaluator: buildDetection(config).engine };
}
