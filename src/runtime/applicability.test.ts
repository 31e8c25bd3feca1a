import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.js';
import { buildDetection, buildIngest } from '../pipeline/index.js';
import { notApplicableIds } from './applicability.js';

const detectors = buildDetection(validateConfig({}), undefined, { site: false }).engine.detectors;
const ids = (config: Parameters<typeof validateConfig>[0], forDemo: boolean) => notApplicableIds(detectors, validateConfig(config), forDemo).map((n) => n.id);

describe('notApplicableIds for serve', () => {
  it.each([
    ['the demo in combined (default)', {}, true, ['behaviour/ja4-rotation']],
    ['the demo with demo.format: ja4', { demo: { format: 'ja4' } }, true, []],
    // analyze and explain read the files they are given in the configured format, never the demo's.
    ['demo.format: ja4 outside serve', { demo: { format: 'ja4' } }, false, ['behaviour/ja4-rotation']],
    ['a configured log: demo.format has no say', { ingest: { logs: ['/var/log/nginx/access.log'] }, demo: { format: 'ja4' } }, true, ['behaviour/ja4-rotation']],
    ['a log_format with a JA4', { ingest: { logFormat: '$remote_addr [$time_local] "$request" $status $body_bytes_sent "$http_user_agent" $ssl_ja4' } }, true, []],
  ])('%s', (_name, config, forDemo, expected) => {
    expect(ids(config, forDemo)).toEqual(expected);
  });

  it('serve parses the demo log with the format the demo writes', () => {
    expect(buildIngest(validateConfig({ demo: { format: 'ja4' } }), Date.now, true).format.name).toBe('demo-ja4');
    expect(buildIngest(validateConfig({ demo: { format: 'ja4' } })).format.name).toBe('combined');
  });
});
