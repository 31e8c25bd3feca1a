/**
 * Global risk from the sources that apply to the indicator. A source `skipped` (no key, a type it
 * does not look up, a private address) does not apply and takes no part. A source that applies but
 * did not answer (`error`: outage, over quota, breaker open) is no evidence: it adds nothing and keeps
 * its weight, so an outage can never raise a score (a provider over its quota used to lift 77/high to
 * 81/critical by dropping a low score from the mean); the collector retries such IOCs sooner.
 *
 * Per-source score, 0-100:
 * - abuseipdb: abuse_confidence as given (AbuseIPDB's own 0-100 confidence).
 * - virustotal: 12 per malicious engine + 4 per suspicious engine, + up to 20 for a negative community
 *   reputation (-reputation / 2); capped at 100. Eight malicious verdicts is already ~100: VT engines
 *   rarely agree on a clean indicator.
 * - otx: 10 per pulse (capped at 60) + 30 when a pulse names a malware family; capped at 100.
 *   Pulses are community-curated and noisy, so OTX alone never reaches `critical`.
 *
 * Combination: weighted mean with weights abuseipdb 0.45, virustotal 0.35, otx 0.20, over the sources
 * that apply — but never below 0.8 × the strongest single score, because one confident source should
 * flag an indicator even when the others have never seen it (or could not answer).
 *
 * Levels: 0 none, 1-24 low, 25-49 medium, 50-79 high, 80-100 critical.
 * Categories: the union of the sources' normalised categories (AbuseIPDB report categories, VT threat
 * categories, OTX malware families as `malware:<name>`), plus `malicious` when VT engines say so.
 */
import type { ProviderResult, RiskLevel } from './types.js';

export const SOURCE_WEIGHTS: Readonly<Record<string, number>> = { abuseipdb: 0.45, virustotal: 0.35, otx: 0.2 };
const STRONGEST_FLOOR = 0.8;
const MAX_CATEGORIES = 20;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const clamp = (n: number): number => Math.max(0, Math.min(100, n));

export function sourceScore(r: ProviderResult): number | null {
  if (r.status !== 'ok' || !r.data) return null;
  const d = r.data;
  if (d.found === false) return 0;
  switch (r.source) {
    case 'abuseipdb':
      return clamp(num(d.abuse_confidence));
    case 'virustotal':
      return clamp(num(d.malicious) * 12 + num(d.suspicious) * 4 + Math.min(20, Math.max(0, -num(d.reputation) / 2)));
    case 'otx':
      return clamp(Math.min(60, num(d.pulse_count) * 10) + (strs(d.malware_families).length > 0 ? 30 : 0));
    default:
      return typeof d.score === 'number' ? clamp(d.score) : null;
  }
}

export function riskLevel(score: number): RiskLevel {
  if (score <= 0) return 'none';
  if (score < 25) return 'low';
  if (score < 50) return 'medium';
  if (score < 80) return 'high';
  return 'critical';
}

function categoriesOf(r: ProviderResult): string[] {
  if (r.status !== 'ok' || !r.data) return [];
  const d = r.data;
  const out = strs(d.categories);
  if (r.source === 'otx') out.push(...strs(d.malware_families).map((f) => `malware:${f.toLowerCase()}`));
  if (r.source === 'virustotal' && num(d.malicious) > 0) out.push('malicious');
  return out;
}

export interface Risk {
  risk_score: number;
  risk_level: RiskLevel;
  categories: string[];
}

export function computeRisk(sources: readonly ProviderResult[]): Risk {
  let weighted = 0;
  let weights = 0;
  let strongest = 0;
  const cats = new Set<string>();
  for (const r of sources) {
    if (r.status === 'skipped') continue;
    const w = SOURCE_WEIGHTS[r.source] ?? 0.2;
    weights += w;
    const s = sourceScore(r);
    if (s === null) continue;
    weighted += s * w;
    strongest = Math.max(strongest, s);
    for (const c of categoriesOf(r)) if (cats.size < MAX_CATEGORIES) cats.add(c);
  }
  const mean = weights > 0 ? weighted / weights : 0;
  const score = Math.round(clamp(Math.max(mean, STRONGEST_FLOOR * strongest)));
  return { risk_score: score, risk_level: riskLevel(score), categories: [...cats].sort() };
}
