import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/index.js';
import { buildDetection } from '../pipeline/index.js';
import { validateConfig } from './load.js';

describe('detect config', () => {
  it('defaults to nothing extra', () => {
    const { detect } = validateConfig({});
    expect(detect).toMatchObject({ rules: { paths: [] }, simulation: [], profiles: [], allowlist: { ips: [], paths: [], userAgents: [], rules: [] } });
    expect(detect.behaviour.maxTrackedIps).toBe(100_000);
  });

  it.each([
    [{ profiles: ['wordpres'] }, /detect\.profiles\.0: unknown profile "wordpres" \(valid: wordpress, nextcloud, immich, jellyfin, matrix, grafana, gitlab\)/],
    [{ allowlist: { ips: ['10.0.0.0/33'] } }, /detect\.allowlist\.ips\.0: invalid CIDR "10\.0\.0\.0\/33"/],
    [{ allowlist: { paths: ['healthz'] } }, /detect\.allowlist\.paths\.0: path "healthz" must start with '\/'/],
    [{ allowlist: { rules: [{ id: 'x', path: '/a' }] } }, /detect\.allowlist\.rules\.0\.path: unknown key/],
    [{ behaviour: { maxTrackedIps: -1 } }, /detect\.behaviour\.maxTrackedIps/],
    [{ simulaton: [] }, /detect\.simulaton: unknown key/],
    [{ site: { minClients: 0 } }, /detect\.site\.minClients/],
    [{ site: { minClients: 65 } }, /detect\.site\.minClients/],
    [{ site: { minClientsWithReference: 1.5 } }, /detect\.site\.minClientsWithReference/],
    [{ site: { holdMinutes: -1 } }, /detect\.site\.holdMinutes/],
    [{ site: { holdMinutes: 1441 } }, /detect\.site\.holdMinutes/],
    [{ site: { maxSites: 0 } }, /detect\.site\.maxSites/],
    [{ site: { maxPathsPerSite: 2_000_000 } }, /detect\.site\.maxPathsPerSite/],
    [{ site: { maxHeld: -5 } }, /detect\.site\.maxHeld/],
    [{ site: { minClient: 3 } }, /detect\.site\.minClient: unknown key/],
  ])('rejects %j naming the key and value', (detect, message) => {
    expect(() => validateConfig({ detect })).toThrow(ConfigError);
    expect(() => validateConfig({ detect })).toThrow(message);
  });

  it('wires allowlist, profiles, simulation and behaviour into buildDetection', () => {
    const config = validateConfig({
      detect: {
        profiles: ['nextcloud'],
        simulation: ['scanner-*'],
        allowlist: { ips: ['10.0.0.0/8'], rules: [{ id: 'sqli-*', pathPrefix: '/search' }] },
        behaviour: { maxTrackedIps: 5000 },
      },
    });
    const parts = buildDetection(config);
    expect(parts.allowlist.size).toBe(2 + 4); // two config entries, four nextcloud profile entries
    expect(parts.simulation.patterns).toEqual(['scanner-*']);
    expect(parts.behaviour.config.maxTrackedIps).toBe(5000);
    expect(parts.engine.allowlist).toBe(parts.allowlist);
  });

  it('site knowledge thresholds default to the measured values', () => {
    expect(validateConfig({}).detect.site).toEqual({
      minClients: 5,
      minClientsWithReference: 2,
      holdMinutes: 30,
      maxHeld: 10_000,
      maxSites: 256,
      maxPathsPerSite: 4096,
    });
    expect(buildDetection(validateConfig({})).engine.site?.options).toEqual({
      minClients: 5,
      minClientsWithReference: 2,
      holdMs: 30 * 60_000,
      maxHeld: 10_000,
      maxSites: 256,
      maxPathsPerSite: 4096,
    });
  });

  it('wires detect.site into the site knowledge; a caller\'s options (analyze: hold to the end) win', () => {
    const config = validateConfig({
      detect: { site: { minClients: 8, minClientsWithReference: 3, holdMinutes: 0, maxHeld: 50, maxSites: 4, maxPathsPerSite: 100 } },
    });
    expect(buildDetection(config).engine.site?.options).toEqual({
      minClients: 8,
      minClientsWithReference: 3,
      holdMs: 0,
      maxHeld: 50,
      maxSites: 4,
      maxPathsPerSite: 100,
    });
    expect(buildDetection(config, undefined, { site: { holdMs: Infinity } }).engine.site?.options).toMatchObject({ minClients: 8, holdMs: Infinity });
  });

  it('names the pack when a user rule path is missing', () => {
    expect(() => buildDetection(validateConfig({ detect: { rules: { paths: ['/nonexistent/pack.yaml'] } } }))).toThrow(/pack\.yaml/);
  });
});
