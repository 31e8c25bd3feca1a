/** The record modules: what the encoders send is what the JSON schemas (and so the OpenAPI document) say. */
import { describe, expect, it } from 'vitest';
import { makeDetection, makeWindow, T0 } from './testing/fixtures.js';
import { ipWindowJson, windowToJson } from './ip-window-record.js';
import { threatJson, threatToJson, type StoredThreat } from './threat-record.js';

const threat: StoredThreat = {
  id: '0123456789abcdef',
  time: T0,
  ip: '81.2.69.160',
  method: 'GET',
  host: null,
  path: '/a',
  query: 'q=1',
  status: 404,
  bytes: 2 ** 40,
  userAgent: null,
  referer: 'https://r.example/',
  score: 0.75,
  severity: 'high',
  category: 'sqli',
  origin: 'file',
  detections: [makeDetection({ detail: 'decoded twice' })],
  geo: { kind: 'public', country: 'GB', asn: 20712 },
  reputation: { riskScore: 80, riskLevel: 'critical', categories: ['bruteforce'], updatedAt: T0 },
};

describe('threat record', () => {
  it('encodes a stored threat to JSON its schema accepts, snake_case with ISO times', () => {
    const json = threatToJson(threat);
    expect(threatJson.strict().parse(json)).toEqual(json);
    expect(json).toMatchObject({
      time: new Date(T0).toISOString(),
      user_agent: null,
      severity_score: 8,
      geo: { kind: 'public', country: 'GB', country_name: null, asn: 20712, as_org: null },
      reputation: { risk_score: 80, updated_at: new Date(T0).toISOString() },
    });
    expect(Object.keys(json).sort()).toEqual(Object.keys(threatJson.shape).sort());
  });
});

describe('IP window record', () => {
  it('encodes a stored window to JSON its schema accepts', () => {
    const w = makeWindow('10.0.0.1', T0, { scenarios: ['bruteforce'], knownBot: null, meanHeaderCount: null });
    const json = windowToJson(w);
    expect(ipWindowJson.strict().parse(json)).toEqual(json);
    expect(json).toMatchObject({ ip: '10.0.0.1', window_start: new Date(T0).toISOString(), ratio_4xx: w.ratio4xx, threat_level: w.threatLevel });
  });
});
