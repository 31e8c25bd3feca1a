/** One suite, run on PGlite (memory://) and on a PostgreSQL server: site knowledge survives a restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent } from '../core/index.js';
import { SiteKnowledge, DetectionEngine, RuleDetector, bundledRulePaths, loadRulePacks } from '../detect/index.js';
import { PG_URL, serviceAvailable } from '../enrich/testing/services.js';
import { sql as migrationSql } from './migrations/0006_site_knowledge.js';
import { openSql } from './index.js';
import { SiteKnowledgeRepository } from './site-knowledge-repository.js';
import { createTestSchema } from './testing/postgres.js';
import type { SqlClient } from './types.js';

function req(path: string, ip: string): HttpEvent {
  return {
    id: `${ip}${path}`, time: Date.UTC(2026, 0, 5), ip, peerIp: null, method: 'GET', host: 'blog.example.org', path, query: '', protocol: 'HTTP/1.1',
    status: 200, bytes: 4096, referer: null, userAgent: null, requestTime: null, ja4: null, ja4h: null, headers: null,
    origin: { kind: 'api', source: 't', receivedAt: 0 },
  };
}

async function openPostgres(url: string): Promise<SqlClient> {
  const schema = await createTestSchema(url, 'rampart_site');
  const sql = await openSql({ databaseUrl: url, schema: schema.schema });
  return { ...sql, dialect: sql.dialect, query: sql.query.bind(sql), exec: sql.exec.bind(sql), transaction: sql.transaction.bind(sql), close: async () => { await sql.close(); await schema.drop(); } };
}

function suite(name: string, open: () => Promise<SqlClient | null>) {
  describe(`SiteKnowledgeRepository on ${name}`, () => {
    let sql: SqlClient | null = null;
    beforeAll(async () => {
      sql = await open();
      if (sql) await sql.exec(migrationSql);
    });
    afterAll(async () => {
      await sql?.close();
    });
    const t = (title: string, fn: () => Promise<void>) =>
      it(title, async (ctx) => {
        if (!sql) return ctx.skip();
        await fn();
      }, 30_000);

    t('a restarted process still knows the site\'s content, and a save replaces the site\'s row', async () => {
      const rules = new RuleDetector(loadRulePacks(bundledRulePaths()));
      const before = new SiteKnowledge({ holdMs: Infinity });
      const engine = new DetectionEngine([rules], {}, before);
      engine.evaluate(['1', '2', '3', '4', '5', '6'].map((n) => req('/src/main.c', `203.0.113.${n}`)));
      expect(engine.releaseHeld()).toEqual([]);
      const repo = new SiteKnowledgeRepository(sql!);
      await repo.save(before.snapshot());
      await repo.save(before.snapshot());
      await sql!.query(`INSERT INTO site_knowledge (site, state) VALUES ('broken.example', 'not json')`);

      const after = new SiteKnowledge({ holdMs: Infinity });
      after.restore(await repo.load());
      expect(after.verdict('blog.example.org', '/src/main.c')).toEqual({ known: true, reason: 'known content: served 200 to 6 clients' });
      const restarted = new DetectionEngine([rules], {}, after);
      expect(restarted.evaluate([req('/src/main.c', '192.0.2.1')])).toEqual([]);
      const { rows } = await sql!.query<{ n: number }>('SELECT count(*)::int AS n FROM site_knowledge');
      expect(rows[0]!.n).toBe(2);
    });

    t('keeps a path with a NUL character', async () => {
      const k = new SiteKnowledge({ holdMs: Infinity });
      const engine = new DetectionEngine([new RuleDetector(loadRulePacks(bundledRulePaths()))], {}, k);
      engine.evaluate([req('/a\u0000b.c', '203.0.113.1')]);
      engine.releaseHeld();
      const repo = new SiteKnowledgeRepository(sql!);
      await repo.save(k.snapshot());
      const back = new SiteKnowledge();
      back.restore(await repo.load());
      expect(back.verdict('blog.example.org', '/a\u0000b.c')?.known).toBe(false);
    });
  });
}

suite('PGlite', () => openSql({ databaseUrl: 'memory://' }));
suite('PostgreSQL', async () => ((await serviceAvailable('postgres')) ? openPostgres(PG_URL) : null));
