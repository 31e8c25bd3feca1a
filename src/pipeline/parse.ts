/**
 * The parse stage: raw lines -> HttpEvents, checkpoints carried through. Bad lines (over-long, not in
 * the log format, not normalisable) are counted per source and sampled to the log, never passed on.
 */
import type { HttpEvent } from '../core/index.js';
import type { LogFormat, RawLine, SourceBatch } from '../ingest/index.js';
import type { PipelineMetrics } from './metrics.js';
import type { BadLineSampler } from './sampler.js';
import type { EventBatch, Normaliser } from './types.js';

export interface ParseDeps {
  format: LogFormat;
  normalise: Normaliser;
  metrics: PipelineMetrics;
  sampler: BadLineSampler;
}

/** Synchronous and pure apart from counters and sampled logging. */
export function parseBatch(batch: SourceBatch, deps: ParseDeps): EventBatch {
  const counters = deps.metrics.source(batch.sourceId);
  const { parse } = deps.metrics.stages;
  const t0 = performance.now();
  const events: HttpEvent[] = [];
  // Hoisted: one property load per batch instead of per line. Counters are summed locally and added
  // once after the loop; parseBatch is synchronous, so nothing can observe them mid-batch.
  const { format, normalise, sampler } = deps;
  const lines = batch.lines;
  let unparsed = 0;
  let overlong = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.overlong === true) {
      overlong++;
      unparsed++;
      sampler.report(line.origin.source, lineNumber(line), 'line longer than 64 KiB', line.text);
      continue;
    }
    const result = format.parse(line.text);
    if (!result.ok) {
      unparsed++;
      sampler.report(line.origin.source, lineNumber(line), result.reason, line.text);
      continue;
    }
    const event = normalise(result.record, line);
    if ('error' in event) {
      unparsed++;
      sampler.report(line.origin.source, lineNumber(line), event.error, line.text);
      continue;
    }
    events.push(event);
  }
  counters.read += lines.length;
  if (batch.lost) {
    counters.losses += batch.lost.count;
    counters.lostBytes += batch.lost.bytes;
  }
  counters.overlong += overlong;
  counters.unparsed += unparsed;
  counters.parsed += events.length;
  parse.ms += performance.now() - t0;
  parse.events += batch.lines.length;
  parse.batches++;
  return { sourceId: batch.sourceId, events, checkpoints: batch.checkpoints };
}

function lineNumber(line: RawLine): number {
  return line.origin.kind === 'file' ? line.origin.line : 0;
}
