import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { validateConfig, type Layer } from '../config/index.js';
import { PipelineMetrics } from '../pipeline/index.js';
import { checkNotifySecrets, notifierSink } from './notify.js';

const silent = pino({ level: 'silent' });

describe('the notifier as an output', () => {
  it('is absent without channels', () => {
    expect(notifierSink(validateConfig({}), null, new PipelineMetrics(), silent, {})).toBeNull();
  });

  it('counts each channel’s queue in the pipeline metrics as notify:<channel>', async () => {
    const config = validateConfig({
      notify: { channels: { ops: { type: 'webhook', urlEnv: 'OPS_URL' }, chat: { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' } } },
    } as Layer);
    const metrics = new PipelineMetrics();
    const out = notifierSink(config, null, metrics, silent, { OPS_URL: 'https://hooks.example.com/x' })!;
    expect(out.sink.name).toBe('notify');
    expect(Object.keys(metrics.snapshot().sinks).sort()).toEqual(['notify:chat', 'notify:ops']);
    expect(metrics.snapshot().sinks['notify:ops']).toEqual({ delivered: 0, failed: 0, dropped: 0, queued: 0 });
    await out.close();
  });

  it('stops start-up naming the key when a secret’s variable is not set', () => {
    const config = validateConfig({ notify: { channels: { ops: { type: 'webhook', urlEnv: 'OPS_URL' } } } } as Layer);
    expect(() => notifierSink(config, null, new PipelineMetrics(), silent, {})).toThrow('config notify.channels.ops.urlEnv: environment variable OPS_URL is not set');
    expect(() => checkNotifySecrets(config, {})).toThrow('config notify.channels.ops.urlEnv: environment variable OPS_URL is not set');
    expect(() => checkNotifySecrets(config, { OPS_URL: 'https://hooks.example.com/x' })).not.toThrow();
  });
});
