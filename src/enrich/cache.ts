/**
 * Per-provider result cache over SharedState (Redis when REDIS_URL, in-process LRU otherwise).
 * Only `ok` answers are kept: an error must not hide a provider that has recovered. The provider's
 * raw body is not cached (VirusTotal bodies run to hundreds of KB); cached answers carry `cached: true`.
 */
import type { SharedState } from './state/types.js';
import type { IocType, ProviderResult } from './types.js';

export class ResultCache {
  constructor(
    private readonly state: SharedState,
    private readonly ttlMs: number,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  private key(source: string, type: IocType, value: string): string {
    return `enrich:v1:${source}:${type}:${value}`;
  }

  async get(source: string, type: IocType, value: string): Promise<ProviderResult | null> {
    if (this.ttlMs <= 0) return null;
    try {
      const s = await this.state.get(this.key(source, type, value));
      if (!s) return null;
      return { ...(JSON.parse(s) as ProviderResult), cached: true };
    } catch (e) {
      this.onError(e); // a cache outage degrades to "miss", never to a failed lookup
      return null;
    }
  }

  async put(type: IocType, value: string, r: ProviderResult): Promise<void> {
    if (this.ttlMs <= 0 || r.status !== 'ok') return;
    const { raw: _raw, cached: _cached, ...keep } = r;
    try {
      await this.state.set(this.key(r.source, type, value), JSON.stringify(keep), this.ttlMs);
    } catch (e) {
      this.onError(e);
    }
  }
}
