/**
 * Fills a PostgreSQL database of its own (default `rampart_soc_bench` on the TEST_DATABASE_URL server) with
 * N requests and M threats over 30 days, for the SOC API benchmark (bench/soc-api.ts, docs/benchmarks.md
 * "SOC API (issue #11)"). Set-based: generate_series inserts, then the rollups (minute, hourly per site and per
 * attacking IP, exactly what the batch writer would have kept) aggregated from the rows in SQL. Idempotent:
 * a database already holding N requests is left as it is.
 *   node --import tsx bench/soc-seed.ts [--requests 10000000] [--threats 200000] [--db rampart_soc_bench]
 */
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openStore } from '../src/store/index.js';
import { TEST_DATABASE_URL } from '../src/store/testing/postgres.js';

export interface SocSeedOptions {
  requests: number;
  threats: number;
  database: string;
  /** The seeded window ends here (epoch ms, rounded down to the hour). */
  until: number;
  days: number;
}

export const SOC_BENCH_DB = 'rampart_soc_bench';

export function socSeedDefaults(): SocSeedOptions {
  return { requests: 10_000_000, threats: 200_000, database: SOC_BENCH_DB, until: Math.floor(Date.now() / 3_600_000) * 3_600_000, days: 30 };
}

export function databaseUrl(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  console.error(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

/** Seeds (or reuses) the database; returns its URL and the window seeded. */
export async function seedSocBench(o: SocSeedOptions, base = TEST_DATABASE_URL): Promise<{ url: string; since: number; until: number; seeded: boolean }> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(o.database)) throw new Error(`database ${JSON.stringify(o.database)} is not a plain identifier`);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${o.database}`);
  await admin.end();
  const url = databaseUrl(base, o.database);
  const store = await openStore({ databaseUrl: url });
  await store.close();

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const have = await c.query<{ n: string; until: string | null }>(`SELECT count(*) AS n, (extract(epoch FROM max(time)) * 1000)::bigint AS until FROM requests`);
    const n = Number(have.rows[0]?.n ?? 0);
    if (n === o.requests) {
      const until = Math.floor(Number(have.rows[0]?.until) / 3_600_000) * 3_600_000 + 3_600_000;
      console.error(`  ${o.database} already holds ${n} requests: reused`);
      // Seeded before migration 0012: its daily rollups are filled once from the minute ones.
      const days = await c.query('SELECT 1 FROM rollup_day_ip UNION ALL SELECT 1 FROM rollup_hour_category LIMIT 2');
      if (days.rowCount !== 2) await timed('daily key rollups', () => fillDayRollups(c));
      // Seeded before migration 0017: its hourly rule-hit rollup is filled once from the hits.
      const rules = await c.query('SELECT 1 FROM rollup_hour_rule LIMIT 1');
      if (rules.rowCount === 0) await timed('hourly rule-hit rollup', () => fillRuleHitRollup(c));
      return { url, since: until - o.days * 86_400_000, until, seeded: false };
    }
    const until = o.until;
    const since = until - o.days * 86_400_000;
    await c.query('TRUNCATE requests, threats, threat_hits, rollup_minute, rollup_minute_category, rollup_minute_ip, rollup_minute_path, rollup_day_ip, rollup_day_path, rollup_hour_category, rollup_hour_site, rollup_hour_threat_ip, rollup_hour_rule, ip_verdicts');
    await c.query('SET synchronous_commit = off');
    // Spread evenly over the window; ids are 16 hex like event ids; 100,000 client IPs with a skew (a few busy ones).
    const step = `(${until - since}::float8 / ${o.requests})`;
    const every = Math.max(1, Math.floor(o.requests / o.threats));
    await timed(`requests (${o.requests})`, () =>
      c.query(
        `INSERT INTO requests (id, time, ip, method, host, path, query, status, bytes, referer, user_agent, request_time, origin)
         SELECT lpad(to_hex(i), 16, '0'),
                to_timestamp((${since}::float8 + i * ${step}) / 1000),
                '10.' || (k / 65536) % 256 || '.' || (k / 256) % 256 || '.' || k % 256,
                CASE WHEN i % 10 = 0 THEN 'POST' ELSE 'GET' END,
                'site' || (i % 5) || '.example',
                '/p/' || (i % 1000) || CASE WHEN i % 3 = 0 THEN '/a_b' ELSE '' END,
                CASE WHEN i % 7 = 0 THEN 'id=' || i ELSE '' END,
                (ARRAY[200, 200, 200, 200, 301, 404, 404, 403, 500, 200])[1 + i % 10],
                512 + i % 4096,
                NULL,
                (ARRAY['Mozilla/5.0 Chrome/126.0', 'Mozilla/5.0 Firefox/126.0', 'Googlebot/2.1', 'curl/8.5', 'python-requests/2.31'])[1 + i % 5],
                (i % 100)::real / 1000,
                'file'
         FROM (SELECT i, ((i::bigint * 2654435761) % 4294967296 / 42949.67296)::bigint % 100000 AS k
               FROM generate_series(0, ${o.requests - 1}) AS i) AS g`,
      ),
    );
    await timed(`threats (${o.threats})`, () =>
      c.query(
        `INSERT INTO threats (id, time, ip, method, host, path, query, status, bytes, user_agent, referer, score, severity, severity_score,
                              category, origin, ip_kind, country, country_name, city, latitude, longitude, asn, as_org)
         SELECT r.id, r.time, r.ip, r.method, r.host, r.path, r.query, r.status, r.bytes, r.user_agent, r.referer,
                ((j % 97) + 3)::real / 100, s.sev, s.score,
                (ARRAY['sqli', 'xss', 'path_traversal', 'scanner', 'sensitive_file', 'bruteforce'])[1 + j % 6], 'file', 'public',
                (ARRAY['DE', 'FR', 'US', 'CN', 'RU', 'BR', 'NL', 'GB', 'IN', 'VN'])[1 + (j / 7) % 10], NULL, NULL,
                40 + (j % 10), 5 + (j % 10), 64500 + j % 50, 'AS ' || (64500 + j % 50) || ' Hosting'
         FROM (SELECT i * ${every} AS i, i AS j FROM generate_series(0, ${o.threats - 1}) AS i) AS g
         JOIN requests r ON r.id = lpad(to_hex(g.i), 16, '0')
         CROSS JOIN LATERAL (SELECT (ARRAY['info', 'low', 'medium', 'high', 'critical'])[1 + g.j % 5] AS sev,
                                    (ARRAY[1, 3, 5, 8, 10])[1 + g.j % 5] AS score) AS s`,
      ),
    );
    await timed('threat_hits', () =>
      c.query(
        `INSERT INTO threat_hits (threat_id, n, rule_id, category, severity, confidence, field, fragment)
         SELECT t.id, h.n, CASE WHEN h.n = 0 THEN t.category || '-rule-' || (abs(hashtext(t.id)) % 5) ELSE 'behaviour/http-probing' END,
                t.category, t.severity, 0.9, CASE WHEN h.n = 0 THEN 'path' ELSE 'behaviour' END, left(t.path, 200)
         FROM threats t CROSS JOIN generate_series(0, 1) AS h(n)
         WHERE h.n = 0 OR abs(hashtext(t.id)) % 2 = 0`,
      ),
    );
    await timed('minute rollups', async () => {
      await c.query(
        `INSERT INTO rollup_minute (minute, requests, threats, info, low, medium, high, critical)
         SELECT m, sum(r), sum(t), sum(i), sum(l), sum(me), sum(h), sum(cr) FROM (
           SELECT date_trunc('minute', time) AS m, count(*) AS r, 0 AS t, 0 AS i, 0 AS l, 0 AS me, 0 AS h, 0 AS cr FROM requests GROUP BY 1
           UNION ALL
           SELECT date_trunc('minute', time), 0, count(*), count(*) FILTER (WHERE severity = 'info'), count(*) FILTER (WHERE severity = 'low'),
                  count(*) FILTER (WHERE severity = 'medium'), count(*) FILTER (WHERE severity = 'high'), count(*) FILTER (WHERE severity = 'critical')
           FROM threats GROUP BY 1) AS u GROUP BY m`,
      );
      await c.query(`INSERT INTO rollup_minute_category SELECT date_trunc('minute', time), category, count(*) FROM threats GROUP BY 1, 2`);
      // As the writer keeps them: one row per minute and key (the writer caps keys per batch; this data stays under the cap),
      // in time order as ingest writes them (a hash aggregate's order would scatter a minute's rows over the heap).
      await c.query(
        `INSERT INTO rollup_minute_ip (minute, ip, requests, threats)
         SELECT date_trunc('minute', r.time), r.ip, count(*), count(t.id) FROM requests r LEFT JOIN threats t ON t.id = r.id GROUP BY 1, 2 ORDER BY 1`,
      );
      await c.query(
        `INSERT INTO rollup_minute_path (minute, path, requests, threats)
         SELECT date_trunc('minute', r.time), r.path, count(*), count(t.id) FROM requests r LEFT JOIN threats t ON t.id = r.id GROUP BY 1, 2 ORDER BY 1`,
      );
    });
    await timed('daily key rollups', () => fillDayRollups(c));
    await timed('hourly rollups', async () => {
      await c.query(
        `INSERT INTO rollup_hour_site (hour, host, requests, threats, info, low, medium, high, critical)
         SELECT date_trunc('hour', r.time), lower(r.host), count(*), count(t.id), count(*) FILTER (WHERE t.severity = 'info'),
                count(*) FILTER (WHERE t.severity = 'low'), count(*) FILTER (WHERE t.severity = 'medium'),
                count(*) FILTER (WHERE t.severity = 'high'), count(*) FILTER (WHERE t.severity = 'critical')
         FROM requests r LEFT JOIN threats t ON t.id = r.id GROUP BY 1, 2`,
      );
      await c.query(
        `INSERT INTO rollup_hour_threat_ip (hour, host, ip, threats, high, critical, max_score, max_severity, country, asn, as_org, latitude, longitude)
         SELECT date_trunc('hour', time), lower(host), ip, count(*), count(*) FILTER (WHERE severity = 'high'), count(*) FILTER (WHERE severity = 'critical'),
                max(score), max(severity_score), max(country), max(asn), max(as_org), max(latitude), max(longitude)
         FROM threats GROUP BY 1, 2, 3`,
      );
    });
    await timed('hourly rule-hit rollup', () => fillRuleHitRollup(c));
    await c.query('UPDATE analytics_generation SET generation = generation + 1');
    await timed('vacuum analyze', () => c.query('VACUUM ANALYZE'));
    return { url, since, until, seeded: true };
  } finally {
    await c.end();
  }
}

/**
 * The rollups of migration 0012 (daily per IP and per path, hourly per category) from the minute ones, as the
 * batch writer sums them.
 * Also run alone on a database seeded before 0012: `node --import tsx bench/soc-seed.ts --day-rollups-only`.
 */
export async function fillDayRollups(c: pg.Client): Promise<void> {
  await c.query('TRUNCATE rollup_day_ip, rollup_day_path, rollup_hour_category');
  await c.query(
    `INSERT INTO rollup_hour_category (hour, category, count)
     SELECT date_trunc('hour', minute), category, sum(count) FROM rollup_minute_category GROUP BY 1, 2`,
  );
  for (const [table, minute, column] of [
    ['rollup_day_ip', 'rollup_minute_ip', 'ip'],
    ['rollup_day_path', 'rollup_minute_path', 'path'],
  ] as const) {
    await c.query(
      `INSERT INTO ${table} (day, ${column}, requests, threats)
       SELECT to_timestamp(floor(extract(epoch FROM minute) / 86400) * 86400), ${column}, sum(requests), sum(threats)
       FROM ${minute} GROUP BY 1, 2`,
    );
  }
  await c.query('VACUUM ANALYZE rollup_day_ip, rollup_day_path, rollup_hour_category');
}

/**
 * The hourly rule-hit rollup of migration 0017 from the stored hits, as the batch writer counts them (every hit,
 * simulated ones also apart). Also run alone on a database seeded before 0017:
 * `node --import tsx bench/soc-seed.ts --rule-rollup-only`.
 */
export async function fillRuleHitRollup(c: pg.Client): Promise<void> {
  await c.query('TRUNCATE rollup_hour_rule');
  await c.query(
    `INSERT INTO rollup_hour_rule (hour, rule_id, hits, simulated)
     SELECT date_trunc('hour', t.time), h.rule_id, count(*), count(*) FILTER (WHERE h.simulated)
     FROM threat_hits h JOIN threats t ON t.id = h.threat_id GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  await c.query('VACUUM ANALYZE rollup_hour_rule');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const d = socSeedDefaults();
  const o = { ...d, requests: Number(arg('requests') ?? d.requests), threats: Number(arg('threats') ?? d.threats), database: arg('db') ?? d.database };
  const t0 = performance.now();
  const only = process.argv.includes('--day-rollups-only') ? 'day' : process.argv.includes('--rule-rollup-only') ? 'rule' : null;
  if (only !== null) {
    const url = databaseUrl(TEST_DATABASE_URL, o.database);
    await (await openStore({ databaseUrl: url })).close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const fill = only === 'day' ? () => timed('daily key rollups', () => fillDayRollups(c)) : () => timed('hourly rule-hit rollup', () => fillRuleHitRollup(c));
    await fill().finally(() => c.end());
    process.exit(0);
  }
  const r = await seedSocBench(o);
  console.log(JSON.stringify({ ...o, url: r.url.replace(/\/\/[^@]*@/, '//'), seeded: r.seeded, seconds: Math.round((performance.now() - t0) / 1000) }));
}
