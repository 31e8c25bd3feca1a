/**
 * Runs a fixture access log through the real pipeline pieces (combined parser, normaliseRecord, the
 * DetectionEngine from buildDetection) and reports the lines that raised an alerting detection.
 */
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../src/config/load.js';
import type { HttpEvent } from '../../src/core/event.js';
import { getFormat } from '../../src/ingest/formats/index.js';
import { normaliseRecord } from '../../src/ingest/normalise.js';
import { buildDetection } from '../../src/pipeline/build.js';

export interface Trip {
  line: number;
  request: string;
  rules: string[];
}

export function fixturePath(name: string): string {
  return new URL(`../fixtures/profiles/${name}.log`, import.meta.url).pathname;
}

export function readEvents(file: string): HttpEvent[] {
  const format = getFormat('combined');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((text, i) => {
    const parsed = format.parse(text);
    if (!parsed.ok) throw new Error(`${file}:${i + 1}: ${parsed.reason}`);
    const event = normaliseRecord(parsed.record, { text, key: `fixture:${i + 1}`, origin: { kind: 'file', source: file, offset: i, line: i + 1 } }, { trusted: null, now: () => 0 });
    if ('error' in event) throw new Error(`${file}:${i + 1}: ${event.error}`);
    return event;
  });
}

/** Alerting detections per line (simulated ones do not alert), with the given detect config. */
export function trips(file: string, detect: Record<string, unknown> = {}): Trip[] {
  const config = validateConfig({ detect });
  const { engine } = buildDetection(config);
  const events = readEvents(file);
  const out: Trip[] = [];
  // Batches like a tailer's, so state carries across batches as in production.
  for (let i = 0; i < events.length; i += 16) {
    for (const t of engine.evaluate(events.slice(i, i + 16))) {
      const rules = t.detections.filter((d) => d.simulated !== true).map((d) => d.ruleId);
      if (rules.length === 0) continue;
      const origin = t.event.origin;
      out.push({ line: origin.kind === 'file' ? origin.line : -1, request: `${t.event.method} ${t.event.path}${t.event.query ? '?' + t.event.query : ''}`, rules });
    }
  }
  return out;
}
