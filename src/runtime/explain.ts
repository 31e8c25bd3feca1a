/**
 * `rampart explain` assembled: one line through the parse and rule stages built from configuration,
 * and with `store` what the site knowledge kept in the store says about its path. Returned as data;
 * the CLI renders it. Offline apart from that store read: no DNS for good bots, no enrichment.
 */
import type { Config } from '../config/index.js';
import type { Detection, DiskCache, HttpEvent } from '../core/index.js';
import { explainRequest, scoreDetections, type ContentVerdict, type SiteKnowledge } from '../detect/index.js';
import type { LogRecord, RawLine } from '../ingest/index.js';
import { buildDetection, buildIngest, storeOptions } from '../pipeline/index.js';

export interface SiteSays {
  /** What the stored knowledge says about the path before this line; null when it has no evidence for it. */
  verdict: ContentVerdict | null;
  /** Rules whose detection the knowledge overruled on this line. */
  overruled: string[];
  detections: Detection[];
}

export type LineExplanation =
  | { format: string; failed: 'parse' | 'normalise'; reason: string }
  | {
      format: string;
      failed: null;
      record: LogRecord;
      event: HttpEvent;
      /** Whether trusted proxies are configured (the client IP may come from X-Forwarded-For). */
      trustedConfigured: boolean;
      steps: ReturnType<typeof explainRequest>;
      /** After the site knowledge's review when it was consulted. */
      detections: readonly Detection[];
      /** Null unless consulted (and site knowledge is on). */
      site: SiteSays | null;
      verdict: ReturnType<typeof scoreDetections>;
    };

export interface ExplainOptions {
  ruleCache?: DiskCache;
  /** Consult the site knowledge kept in the configured store. */
  store?: boolean;
}

export async function explainLine(config: Config, text: string, opts: ExplainOptions = {}): Promise<LineExplanation> {
  const ingest = buildIngest(config);
  const detection = buildDetection(config, undefined, opts.ruleCache ? { ruleCache: opts.ruleCache } : {});
  const format = ingest.format.name;
  const line: RawLine = { text, key: 'explain:0', origin: { kind: 'file', source: '(command line)', offset: 0, line: 1 } };
  const parsed = ingest.format.parse(text);
  if (!parsed.ok) return { format, failed: 'parse', reason: parsed.reason };
  const event = ingest.normalise(parsed.record, line);
  if ('error' in event) return { format, failed: 'normalise', reason: event.error };
  const steps = explainRequest(detection.rules.engine, event);
  const [fired = []] = detection.rules.detect([event], undefined);
  const site = opts.store ? await consultSite(detection.engine.site, config) : null;
  const knowledge = site ? siteSays(site, event, fired) : null;
  const detections = knowledge?.detections ?? fired;
  return {
    format,
    failed: null,
    record: parsed.record,
    event,
    trustedConfigured: ingest.trusted !== null,
    steps,
    detections,
    site: knowledge,
    verdict: scoreDetections(detections),
  };
}

/** Site knowledge restored from the store (the store module loads only here). */
async function consultSite(site: SiteKnowledge | null, config: Config): Promise<SiteKnowledge | null> {
  if (site === null) return null;
  const { openStore } = await import('../store/index.js');
  const store = await openStore({ ...storeOptions(config) });
  try {
    site.restore(await store.siteKnowledge.load());
  } finally {
    await store.close();
  }
  return site;
}

function siteSays(site: SiteKnowledge, event: HttpEvent, fired: Detection[]): SiteSays {
  const verdict = site.verdict(event.host, event.path);
  const { detections } = site.review(event, fired);
  const kept = new Set(detections.map((d) => d.ruleId));
  return { verdict, overruled: fired.filter((d) => !kept.has(d.ruleId)).map((d) => d.ruleId), detections };
}
