/** A stored IP window as JSON (snake_case, ISO times), shared by /api/scores and /api/ips/:ip. */
import { THREAT_LEVELS } from '../../detect/index.js';
import type { IpWindowRow } from '../../store/index.js';

const ratio = (description: string) => ({ type: 'number', minimum: 0, maximum: 1, description }) as const;
const count = { type: 'integer', minimum: 0 } as const;

export const ipWindowJsonSchema = {
  $id: 'IpWindow',
  type: 'object',
  description: 'Behaviour features of one source IP over one window (tumbling, 1 minute by default).',
  properties: {
    ip: { type: 'string' },
    window_start: { type: 'string', format: 'date-time', description: 'Inclusive.' },
    window_end: { type: 'string', format: 'date-time', description: 'Exclusive.' },
    hits: count,
    velocity: { type: 'number', description: 'Hits per second of window length.' },
    ratio_4xx: ratio('Share of responses with a 4xx status.'),
    ratio_404: ratio('Share of 404 responses.'),
    ratio_post: ratio('Share of POST requests.'),
    ratio_static: ratio('Share of sub-resource requests (assets), by extension, status, size and what browsers of the site fetch.'),
    ratio_direct: ratio('Share of requests without a referer.'),
    path_diversity: ratio('Distinct paths / hits (estimated).'),
    distinct_paths: count,
    temporal_entropy: ratio('Entropy of inter-arrival gaps, normalised: 0 one rhythm (a script), 1 spread out.'),
    distinct_user_agents: count,
    distinct_ja4s: count,
    mean_header_count: { type: ['number', 'null'], description: 'Null when the log carries no headers.' },
    known_bot: { type: ['string', 'null'], description: 'Claimed well-known crawler, null otherwise.' },
    scenarios: { type: 'array', items: { type: 'string' }, description: 'Behaviour scenarios tripped in the window.' },
    threat_level: { type: 'string', enum: [...THREAT_LEVELS] },
  },
  required: [
    'ip',
    'window_start',
    'window_end',
    'hits',
    'velocity',
    'ratio_4xx',
    'ratio_404',
    'ratio_post',
    'ratio_static',
    'ratio_direct',
    'path_diversity',
    'distinct_paths',
    'temporal_entropy',
    'distinct_user_agents',
    'distinct_ja4s',
    'mean_header_count',
    'known_bot',
    'scenarios',
    'threat_level',
  ],
} as const;

export function windowToJson(w: IpWindowRow) {
  return {
    ip: w.ip,
    window_start: new Date(w.start).toISOString(),
    window_end: new Date(w.end).toISOString(),
    hits: w.hits,
    velocity: w.velocity,
    ratio_4xx: w.ratio4xx,
    ratio_404: w.ratio404,
    ratio_post: w.ratioPost,
    ratio_static: w.ratioStatic,
    ratio_direct: w.ratioDirect,
    path_diversity: w.pathDiversity,
    distinct_paths: w.distinctPaths,
    temporal_entropy: w.temporalEntropy,
    distinct_user_agents: w.distinctUserAgents,
    distinct_ja4s: w.distinctJa4s,
    mean_header_count: w.meanHeaderCount,
    known_bot: w.knownBot,
    scenarios: w.scenarios,
    threat_level: w.threatLevel,
  };
}
