/** Site knowledge: what detection learned about each site's content survives a restart. */
import { expect, it } from 'vitest';
import type { HttpEvent } from '../../../core/index.js';
import { DetectionEngine, RuleDetector, SiteKnowledge, bundledRulePaths, loadRulePacks } from '../../../detect/index.js';
import type { ConformanceSection } from './context.js';

function req(path: string, ip: string): HttpEvent {
  return {
    id: `${ip}${path}`, time: Date.UTC(2026, 0, 5), ip, peerIp: null, method: 'GET', host: 'blog.example.org', path, query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 4096, referer: null, userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 't', receivedAt: 0 },
  };
}

export const siteKnowledgeConformance: ConformanceSection = (t) => {
  it('a restarted process still knows the site\'s content, and a save replaces the site\'s row', async () => {
    const rules = new RuleDetector(loadRulePacks(bundledRulePaths()));
    const before = new SiteKnowledge({ holdMs: Infinity });
    const engine = new DetectionEngine([rules], {}, before);
    engine.evaluate(['1', '2', '3', '4', '5', '6'].map((n) => req('/src/main.c', `203.0.113.${n}`)));
    expect(engine.releaseHeld()).toEqual([]);
    const repo = t.store.siteKnowledge;
    await repo.save(before.snapshot());
    await repo.save(before.snapshot());
    await t.store.sql.query(`INSERT INTO site_knowledge (site, state) VALUES ('broken.example', 'not json')`);

    const after = new SiteKnowledge({ holdMs: Infinity });
    after.restore(await repo.load());
    expect(after.verdict('blog.example.org', '/src/main.c')).toEqual({ known: true, reason: 'known content: served 200 to 6 clients' });
    const restarted = new DetectionEngine([rules], {}, after);
    expect(restarted.evaluate([req('/src/main.c', '192.0.2.1')])).toEqual([]);
    const { rows } = await t.store.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM site_knowledge');
    expect(rows[0]!.n).toBe(2);
  }, 30_000);

  it('keeps a path with a NUL character', async () => {
    const k = new SiteKnowledge({ holdMs: Infinity });
    const engine = new DetectionEngine([new RuleDetector(loadRulePacks(bundledRulePaths()))], {}, k);
    engine.evaluate([req('/a\u0000b.c', '203.0.113.1')]);
    engine.releaseHeld();
    const repo = t.store.siteKnowledge;
    await repo.save(k.snapshot());
    const back = new SiteKnowledge();
    back.restore(await repo.load());
    expect(back.verdict('blog.example.org', '/a\u0000b.c')?.known).toBe(false);
  }, 30_000);
};
