/**
 * An IP window as stored (table ip_windows), defined once: SQL -> TypeScript -> JSON (/api/scores, /api/ips/:ip).
 * Reals are float4 columns: they read back at float4 precision.
 */
import * as z from 'zod';
import { THREAT_LEVELS } from '../detect/index.js';
import { decodeFields, encodeFields, epochMs, jsonShape, plain, selectList, type JsonOf, type ValueOf } from './record-fields.js';

const ratio = (description: string) => z.number().min(0).max(1).describe(description);
const count = z.number().int().min(0);

const WINDOW_FIELDS = {
  ip: plain('ip', z.string()),
  start: epochMs('window_start', 'Inclusive.'),
  end: epochMs('window_end', 'Exclusive.'),
  hits: plain('hits', count),
  velocity: plain('velocity', z.number().describe('Hits per second of window length.')),
  ratio4xx: plain('ratio_4xx', ratio('Share of responses with a 4xx status.')),
  ratio404: plain('ratio_404', ratio('Share of 404 responses.')),
  ratioPost: plain('ratio_post', ratio('Share of POST requests.')),
  ratioStatic: plain(
    'ratio_static',
    ratio('Share of sub-resource requests (assets), by extension, status, size and what browsers of the site fetch.'),
  ),
  ratioDirect: plain('ratio_direct', ratio('Share of requests without a referer.')),
  pathDiversity: plain('path_diversity', ratio('Distinct paths / hits (estimated).')),
  distinctPaths: plain('distinct_paths', count),
  temporalEntropy: plain(
    'temporal_entropy',
    ratio('Entropy of inter-arrival gaps, normalised: 0 one rhythm (a script), 1 spread out.'),
  ),
  distinctUserAgents: plain('distinct_user_agents', count),
  distinctJa4s: plain('distinct_ja4s', count),
  meanHeaderCount: plain('mean_header_count', z.number().nullable().describe('Null when the log carries no headers.')),
  knownBot: plain('known_bot', z.string().nullable().describe('Claimed well-known crawler, null otherwise.')),
  scenarios: plain('scenarios', z.array(z.string()).describe('Behaviour scenarios tripped in the window.')),
  threatLevel: plain('threat_level', z.enum(THREAT_LEVELS)),
};

/** A stored window: the IpWindow as written (times epoch ms; reals at float4 precision). */
export type IpWindowRow = ValueOf<typeof WINDOW_FIELDS>;
export type IpWindowJson = JsonOf<typeof WINDOW_FIELDS>;

/** The select list of ip_windows, rows keyed like IpWindowRow. */
export const WINDOW_COLUMNS = selectList(WINDOW_FIELDS);

export function decodeWindow(row: Record<string, unknown>): IpWindowRow {
  return decodeFields(WINDOW_FIELDS, row);
}

export const ipWindowJson = z
  .object(jsonShape(WINDOW_FIELDS))
  .describe('Behaviour features of one source IP over one window (tumbling, 1 minute by default).');

export function windowToJson(w: IpWindowRow): IpWindowJson {
  return encodeFields(WINDOW_FIELDS, w);
}
