import { describe, expect, it } from 'vitest';
import { loadConfig, maskConfig, validateConfig } from './index.js';

describe('crowdsec config', () => {
  it('is off by default, with documented defaults', () => {
    const c = validateConfig({}).crowdsec;
    expect(c).toEqual({
      timeoutSeconds: 10,
      source: { decisions: false, alerts: false, pollIntervalSeconds: 10, alertsLookbackHours: 24, alertsLimit: 500 },
      sink: { enabled: false, minSeverity: 'high', decision: 'ban', decisionDurationSeconds: 14_400 },
    });
  });
  it.each([
    [{ source: { decisions: true } }, 'config crowdsec.lapiUrl: required when a CrowdSec source or the sink is on'],
    [{ lapiUrl: 'http://127.0.0.1:8080', source: { decisions: true } }, 'config crowdsec.bouncerKey: required when crowdsec.source.decisions is on'],
    [{ lapiUrl: 'http://127.0.0.1:8080', source: { alerts: true } }, 'config crowdsec.machine: required when crowdsec.source.alerts is on'],
    [{ lapiUrl: 'http://127.0.0.1:8080', sink: { enabled: true } }, 'config crowdsec.machine: required when crowdsec.sink.enabled is on'],
    [{ lapiUrl: '127.0.0.1:8080' }, 'config crowdsec.lapiUrl: expected http(s)://host:port'],
    [{ sink: { minSeverity: 'urgent' } }, 'config crowdsec.sink.minSeverity:'],
    [{ source: { pollIntervalSeconds: 0 } }, 'config crowdsec.source.pollIntervalSeconds:'],
    [{ source: { decision: true } }, 'config crowdsec.source.decision: unknown key'],
  ])('%j is refused naming the key', (crowdsec, message) => {
    expect(() => validateConfig({ crowdsec })).toThrow(message);
  });
  it('takes the secrets from the environment and never shows them', () => {
    const { config } = loadConfig({
      dotEnv: false,
      file: '/dev/null',
      env: {
        RAMPART_CROWDSEC_LAPI_URL: 'http://127.0.0.1:8080',
        RAMPART_CROWDSEC_BOUNCER_KEY: 'bouncer-secret-0123456789',
        RAMPART_CROWDSEC_MACHINE_LOGIN: 'rampart',
        RAMPART_CROWDSEC_MACHINE_PASSWORD: 'machine-secret-0123456789',
      },
    });
    expect(config.crowdsec).toMatchObject({ bouncerKey: 'bouncer-secret-0123456789', machine: { login: 'rampart', password: 'machine-secret-0123456789' } });
    const shown = JSON.stringify(maskConfig(config));
    expect(shown).not.toContain('bouncer-secret');
    expect(shown).not.toContain('machine-secret');
    expect(shown).toContain('rampart');
  });
});
