/**
 * End to end with the real CrowdSec (Debian package `crowdsec`, a private LAPI on its own port, database and folder;
 * LAPI only, Central API off): `rampart serve` reads its decisions (`cscli decisions add`) and alerts with their
 * events into /api/threats with origin crowdsec, resumes after a restart without duplicates, reports the LAPI's
 * outage in /ready and recovers, and pushes its own threats to the LAPI, where `cscli alerts list` and
 * `cscli decisions list` show them. Skips visibly when crowdsec is not installed.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LapiClient } from '../../src/ingest/crowdsec/lapi-client.js';
import { probeCrowdsec, startPrivateLapi, type PrivateLapi } from '../../src/ingest/crowdsec/testing/private-lapi.js';
import { createTestSchema, probePostgres } from '../../src/store/testing/postgres.js';
import { attackLine } from './log-lines.js';
import { startServe, waitFor, type ServeProcess } from './serve-process.js';

const installed = probeCrowdsec('CrowdSec end to end');
const pgUrl = installed ? await probePostgres('CrowdSec end to end on PostgreSQL') : null;

interface Backend {
  name: string;
  fresh(dir: string): Promise<{ args: string[]; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [{ name: 'pglite', fresh: async (dir) => ({ args: ['--data-dir', join(dir, 'data')], cleanup: async () => {} }) }];
if (pgUrl) {
  backends.push({
    name: 'postgres',
    fresh: async () => {
      const schema = await createTestSchema(pgUrl, 'rampart_e2e_crowdsec');
      const url = new URL(pgUrl);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      return { args: ['--database-url', url.toString()], cleanup: () => schema.drop() };
    },
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!installed).each(backends)('CrowdSec as a source and a sink, end to end on $name', { timeout: 300_000 }, (backend) => {
  let l: PrivateLapi;
  let dir: string;
  let config: string;
  let log: string;
  let store: { args: string[]; cleanup: () => Promise<void> };
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    // A LAPI of its own per backend: each run starts from an empty CrowdSec.
    l = (await startPrivateLapi('CrowdSec end to end'))!;
    dir = mkdtempSync(join(tmpdir(), 'rampart-e2e-crowdsec-'));
    log = join(dir, 'access.log');
    writeFileSync(log, '');
    store = await backend.fresh(dir);
    config = join(dir, 'rampart.yaml');
    // JSON is YAML; the secrets go by environment, as a deployment would give them.
    writeFileSync(
      config,
      JSON.stringify({
        crowdsec: {
          lapiUrl: l.url,
          source: { decisions: true, alerts: true, pollIntervalSeconds: 1 },
          sink: { enabled: true, minSeverity: 'medium', decision: 'ban', decisionDurationSeconds: 3600 },
        },
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await l?.destroy();
    await store?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<ServeProcess> {
    const p = await startServe(['--no-demo', '--config', config, '--log', log, ...store.args], {
      RAMPART_CROWDSEC_BOUNCER_KEY: l.bouncerKey,
      RAMPART_CROWDSEC_MACHINE_LOGIN: l.machine.login,
      RAMPART_CROWDSEC_MACHINE_PASSWORD: l.machine.password,
    });
    running.push(p);
    await waitFor('ready', async () => ((await p.get('/ready')).status === 200 ? true : undefined), 60_000);
    return p;
  }

  const threats = async (p: ServeProcess, ip: string): Promise<Json> => (await p.get(`/api/threats?ip=${ip}&limit=100`)).body as Json;
  const waitThreats = (p: ServeProcess, ip: string, n: number) =>
    waitFor(`${n} threats of ${ip}`, async () => {
      const t = await threats(p, ip);
      return t.total >= n ? t : undefined;
    }, 60_000, 200);
  const crowdsecLine = async (p: ServeProcess): Promise<Json> => ((await p.get('/ready')).body as Json).checks.crowdsec;

  it('reads decisions and alerts, resumes without duplicates, survives a LAPI outage, and pushes its own threats', async () => {
    // Decisions made before Rampart starts come with the stream's startup.
    await l.cscli('decisions', 'add', '--ip', '192.0.2.50', '--duration', '2h', '--reason', 'e2e manual ban');
    await l.cscli('decisions', 'add', '--range', '198.51.100.0/24', '--type', 'captcha');
    let p = await start();

    const banned = await waitThreats(p, '192.0.2.50', 1);
    expect(banned.total).toBe(1);
    expect(banned.items[0]).toMatchObject({ origin: 'crowdsec', severity: 'high' });
    expect(banned.items[0].detections[0]).toMatchObject({ rule_id: 'crowdsec/cscli', fragment: 'e2e manual ban' });
    const range = await waitThreats(p, '198.51.100.0', 1);
    expect(range.items[0]).toMatchObject({ origin: 'crowdsec', severity: 'medium' });
    expect(range.items[0].detections[0].detail).toContain('captcha 198.51.100.0/24');

    // An alert with its events, as CrowdSec's agent pushes it.
    const machine = new LapiClient({ url: l.url, machine: l.machine });
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ev = (path: string) => ({
      timestamp: at,
      meta: [
        { key: 'source_ip', value: '203.0.113.60' },
        { key: 'http_path', value: path },
        { key: 'http_verb', value: 'GET' },
        { key: 'http_status', value: '404' },
        { key: 'http_user_agent', value: 'Mozilla/5.0 zgrab' },
      ],
    });
    await machine.pushAlerts([
      {
        scenario: 'crowdsecurity/http-probing',
        scenario_hash: '',
        scenario_version: '0.1',
        message: "Ip 203.0.113.60 performed 'crowdsecurity/http-probing' (2 events over 1s)",
        events_count: 2,
        start_at: at,
        stop_at: at,
        capacity: 10,
        leakspeed: '10s',
        simulated: false,
        remediation: false,
        events: [ev('/admin.php'), ev('/phpmyadmin/')],
        source: { scope: 'Ip', value: '203.0.113.60', ip: '203.0.113.60' },
        decisions: [],
      },
    ]);
    const probed = await waitThreats(p, '203.0.113.60', 2);
    expect(probed.total).toBe(2);
    expect(probed.items.map((t: Json) => t.path).sort()).toEqual(['/admin.php', '/phpmyadmin/']);
    expect(probed.items[0]).toMatchObject({ origin: 'crowdsec', category: 'scanner', user_agent: 'Mozilla/5.0 zgrab', status: 404 });
    expect(probed.items[0].detections.map((d: Json) => d.rule_id)).toContain('crowdsec/crowdsecurity/http-probing');
    expect((await crowdsecLine(p)).detail).toMatch(/^CrowdSec LAPI reachable/);
    // Counted, in the stats and offered to the live feed like any threat.
    const pipeline = (await p.get('/api/metrics/pipeline')).body as Json;
    expect(pipeline.sources.crowdsec).toMatchObject({ stored: 4, threats: 4 });
    expect(pipeline.sinks['live-bus'].delivered).toBeGreaterThanOrEqual(2);
    await waitFor('the stats to count the CrowdSec threats', async () => {
      const s = (await p.get('/api/stats?range=1h')).body as Json;
      return s.threats_detected >= 4 && s.category_breakdown.scanner >= 2 ? true : undefined;
    }, 30_000, 500);

    // Killed and restarted: what was read is not read again (its cursor was stored with it); what came meanwhile is.
    await p.stop('SIGKILL');
    await l.cscli('decisions', 'add', '--ip', '192.0.2.51', '--reason', 'while rampart was down');
    p = await start();
    await waitThreats(p, '192.0.2.51', 1);
    expect((await threats(p, '192.0.2.50')).total).toBe(1);
    expect((await threats(p, '198.51.100.0')).total).toBe(1);
    expect((await threats(p, '203.0.113.60')).total).toBe(2);

    // LAPI outage: /ready says so (and stays 200: Rampart works without CrowdSec), then recovery.
    await l.stop();
    const down = await waitFor('/ready to report the LAPI down', async () => {
      const line = await crowdsecLine(p);
      return /unreachable/.test(line.detail) ? line : undefined;
    }, 60_000, 200);
    expect(down.ok).toBe(true);
    // The first failure is the kept-alive socket closing (UND_ERR_SOCKET), then ECONNREFUSED.
    expect(down.detail).toMatch(/^degraded: CrowdSec LAPI unreachable since \S+ \((GET|POST) \/v1\/[a-z/]+: [A-Z_]+\); retrying with backoff$/);
    expect((await p.get('/ready')).status).toBe(200);
    expect(p.child.exitCode).toBeNull();
    const outageMs = await waitFor('an outage of 10 s', async () => (Date.now() - Date.parse(down.detail.split(' ')[5]!) >= 10_000 ? true : undefined), 30_000, 200).then(
      () => Date.now() - Date.parse(down.detail.split(' ')[5]!),
    );
    await l.start();
    const back = performance.now();
    await waitFor('/ready to report the LAPI back', async () => (/^CrowdSec LAPI reachable/.test((await crowdsecLine(p)).detail) ? true : undefined), 90_000, 200);
    // Recovery is bounded by the backoff (1 s doubling to 30 s): after a 10 s outage, the next try within about 8 s.
    console.info(`CrowdSec LAPI outage of ${Math.round(outageMs / 100) / 10} s: /ready reachable again ${Math.round(performance.now() - back)} ms after the LAPI listened`);
    await l.cscli('decisions', 'add', '--ip', '192.0.2.52', '--reason', 'after the outage');
    await waitThreats(p, '192.0.2.52', 1);

    // Sink: a threat from Rampart's own log reaches CrowdSec as an alert with a ban.
    appendFileSync(log, attackLine(1, '192.0.2.99') + '\n');
    await waitThreats(p, '192.0.2.99', 1);
    const alerts = await waitFor('cscli alerts list to show the pushed alert', async () => {
      const list = JSON.parse(await l.cscli('alerts', 'list', '-o', 'json', '--limit', '0')) as Json[] | null;
      return list?.find((a) => a.source?.value === '192.0.2.99');
    }, 60_000, 500);
    expect(alerts.scenario).toMatch(/^rampart\//);
    const decisions = JSON.parse(await l.cscli('decisions', 'list', '-o', 'json')) as Json[];
    const ban = decisions.flatMap((a) => a.decisions ?? []).find((d: Json) => d.value === '192.0.2.99');
    expect(ban).toMatchObject({ type: 'ban', scope: 'Ip', origin: 'crowdsec' });
    // What Rampart pushed is not read back as a CrowdSec threat: once a later decision is in, 192.0.2.99 is still one.
    await l.cscli('decisions', 'add', '--ip', '192.0.2.53', '--reason', 'marker');
    await waitThreats(p, '192.0.2.53', 1);
    const own = await threats(p, '192.0.2.99');
    expect(own.total).toBe(1);
    expect(own.items[0].origin).toBe('file');
  });
});
