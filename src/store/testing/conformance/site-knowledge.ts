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

  it('keeps held hits with the batch that held them and drops them with the batch that judged them', async () => {
    const k = new SiteKnowledge({ holdMs: 60_000 });
    k.trackHeld();
    const engine = new DetectionEngine([new RuleDetector(loadRulePacks(bundledRulePaths()))], {}, k);
    const a = req('/notes/a.log', '203.0.113.1');
    // A NUL in a logged field: jsonb would refuse it, the text column keeps it.
    const b = { ...req('/notes/b.log', '203.0.113.2'), userAgent: 'curl\u0000/8' };
    expect(engine.evaluate([a, b])).toEqual([]);
    const held = engine.takeHeldChanges()!;
    expect(held.hold).toHaveLength(2);
    const writer = t.store.writer;
    await writer.write({ events: [a, b], threats: [], checkpoints: [], held });
    // A retried write (its acknowledgement lost) inserts nothing twice.
    await writer.write({ events: [], threats: [], checkpoints: [], held });
    expect(await t.store.heldThreats.count()).toBe(2);
    await t.store.sql.query(`INSERT INTO held_threats (id, time, threat) VALUES ('broken', now(), 'not json')`);

    const next = new SiteKnowledge({ holdMs: 60_000 });
    next.trackHeld();
    expect(next.restoreHeld(await t.store.heldThreats.load(10))).toBe(2);
    expect(await t.store.heldThreats.load(1)).toHaveLength(1);
    const released = next.releaseHeld();
    expect(released.map((r) => r.event.path).sort()).toEqual(['/notes/a.log', '/notes/b.log']);
    expect(released.find((r) => r.event.path === '/notes/b.log')!.event.userAgent).toBe('curl\u0000/8');
    const settled = next.takeHeldChanges()!;
    await writer.write({ events: [], threats: released, checkpoints: [], held: settled });
    expect(await t.store.heldThreats.count()).toBe(1); // only the broken row, which no process can judge
    const { rows } = await t.store.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM threats');
    expect(rows[0]!.n).toBe(2);
  }, 30_000);
};
