/**
 * Each shipped exclusion profile against a hand-written normal session of its application, through the
 * real pipeline pieces (combined parser, normaliseRecord, buildDetection's engine with rules and behaviour).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { SCENARIOS } from '../../src/detect/behaviour/index.js';
import { Glob, PROFILE_NAMES, loadProfile, profileDir } from '../../src/detect/allowlist/index.js';
import { buildDetection } from '../../src/pipeline/build.js';
import { fixturePath, readEvents, trips } from './harness.js';

/**
 * Lines that trip without the profile (line numbers of the fixture). Sessions where nothing trips even
 * without the profile are listed as [] on purpose: the rules and behaviour already cope with them, and the
 * profile is insurance for heavier sessions (longer syncs, bigger libraries) than a fixture holds.
 */
const TRIPS_WITHOUT: Record<(typeof PROFILE_NAMES)[number], { lines: number; sample: string }> = {
  wordpress: { lines: 0, sample: '' },
  immich: { lines: 0, sample: '' },
  nextcloud: { lines: 48, sample: 'protocol-webdav-method' },
  jellyfin: { lines: 0, sample: '' }, // its 404s end in an image index (/Backdrop/0): an id, not a probe
  matrix: { lines: 1, sample: 'behaviour/http-probing' },
  grafana: { lines: 4, sample: 'log4shell-jndi' },
  gitlab: { lines: 9, sample: 'sensitive-vcs-metadata' },
};

describe('shipped exclusion profiles', () => {
  it('ships exactly the profiles config accepts', () => {
    const files = readdirSync(profileDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    expect(files.sort()).toEqual([...PROFILE_NAMES].sort());
  });

  it('names only rule and scenario ids that exist (a renamed rule must not silently unscope a profile)', () => {
    const { rules } = buildDetection(validateConfig({}));
    const ids = [...rules.engine.rules.map((r) => r.id), ...SCENARIOS.map((s) => `behaviour/${s.id}`)];
    for (const name of PROFILE_NAMES) {
      for (const entry of loadProfile(name)) {
        for (const pattern of entry.rules ?? []) {
          const g = new Glob(pattern, 'text');
          expect(ids.some((id) => g.matches(id)), `${entry.id}: ${pattern}`).toBe(true);
        }
      }
    }
  });

  describe.each(PROFILE_NAMES)('%s', (name) => {
    const file = fixturePath(name);

    it('fixture is a 30-100 line session', () => {
      const n = readEvents(file).length;
      expect(n).toBeGreaterThanOrEqual(30);
      expect(n).toBeLessThanOrEqual(100);
    });

    it('raises no alerting detection with the profile enabled', () => {
      expect(trips(file, { profiles: [name] })).toEqual([]);
    });

    it('without the profile, trips exactly what the profile is for', () => {
      const off = trips(file);
      // Exact counts as measured on the current rule set; other packs may add trips, never remove the meaning.
      if (TRIPS_WITHOUT[name].lines === 0) expect(off).toEqual([]);
      else expect(off.length).toBeGreaterThanOrEqual(1);
      if (off.length > 0) expect(off.flatMap((t) => t.rules)).toContain(TRIPS_WITHOUT[name].sample);
    });
  });

  it('does not hide an attack on the same application', () => {
    // Traversal out of the WebDAV prefix and an injection in a profiled path's query are still seen.
    const config = validateConfig({ detect: { profiles: [...PROFILE_NAMES] } });
    const { engine } = buildDetection(config);
    const base = readEvents(fixturePath('nextcloud'))[0]!;
    const attacks = [
      { ...base, id: 'a1', path: '/remote.php/dav/files/alice/../../../../.env' },
      { ...base, id: 'a2', path: '/remote.php/dav/files/alice/x', query: 'id=1%27%20union%20select%20password%20from%20users--' },
      { ...base, id: 'a3', path: '/wp-admin/admin-ajax.php', query: 'action=x&file=../../wp-config.php' },
      // A WebDAV probe outside the DAV endpoints: the profile scopes the method rule to them only.
      { ...base, id: 'a4', method: 'PROPFIND', path: '/', query: '' },
    ];
    const flagged = engine.evaluate(attacks).filter((t) => t.score > 0).map((t) => t.event.id);
    expect(flagged).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('scopes the WebDAV method rule to the DAV endpoints: alerts without the profile, silent with it', () => {
    const base = readEvents(fixturePath('nextcloud'))[0]!;
    const propfind = { ...base, id: 'dav', method: 'PROPFIND', path: '/remote.php/dav/files/alice/Documents/', query: '' };
    const rulesOf = (profiles: string[]) =>
      buildDetection(validateConfig({ detect: { profiles } }))
        .engine.evaluate([propfind])
        .flatMap((t) => t.detections.filter((d) => d.simulated !== true).map((d) => d.ruleId));
    expect(rulesOf([])).toContain('protocol-webdav-method');
    expect(rulesOf(['nextcloud'])).not.toContain('protocol-webdav-method');
  });
});
