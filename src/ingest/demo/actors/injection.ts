/**
 * Injection attempts: payloads in query values, sent by tools (sqlmap, nuclei, curl, scripts) or typed
 * into a browser, encoded the way each of them sends them. Log4Shell also arrives in the user agent.
 */
import { BROWSER_AGENTS, FAKE_BROWSER_AGENTS, TOOL_AGENTS, logAgent } from '../agents.js';
import { encodeQueryValue, escapeLogValue, hasPercentEscape, type QueryStyle } from '../encode.js';
import { AddressPool, HOSTING, RESIDENTIAL, TOR_EXITS } from '../networks.js';
import { weightedTable, type Random } from '../random.js';
import { makeLabel, type ActorModel, type DemoLabel, type Hit } from '../types.js';
import { INJECTION_POINTS, PAYLOADS, type InjectionCategory } from './payloads.js';

const TECHNIQUES = weightedTable<InjectionCategory>([
  ['sqli', 30],
  ['xss', 22],
  ['path_traversal', 12],
  ['lfi', 10],
  ['rce', 10],
  ['log4shell', 8],
  ['ssrf', 8],
]);

type Tool = 'sqlmap' | 'nuclei' | 'script' | 'browser';

/** How each kind of client answers: mostly the page, sometimes an error the payload provoked. */
function answer(rng: Random, category: InjectionCategory): [number, number] {
  const roll = rng.next();
  if (category === 'sqli' && roll < 0.18) return [500, rng.int(600, 1_400)];
  if (roll < 0.1) return [400, rng.int(150, 900)];
  if (roll < 0.16) return [403, 153];
  if (roll < 0.22) return [404, rng.int(4_150, 4_220)];
  return [200, rng.int(2_000, 42_000)];
}

export function injectionModel(rng: Random): ActorModel {
  const sources = weightedTable([
    [new AddressPool(HOSTING), 55],
    [new AddressPool(TOR_EXITS), 20],
    [new AddressPool(RESIDENTIAL), 25],
  ] as const);
  const browsers = BROWSER_AGENTS.map(([ua]) => logAgent(ua));
  const scripts = [
    TOOL_AGENTS.curl,
    TOOL_AGENTS.pythonRequests,
    TOOL_AGENTS.goHttp,
    ...FAKE_BROWSER_AGENTS.map(logAgent),
  ];

  function* session(start: number, forced?: InjectionCategory): Generator<Hit, void> {
    const ip = rng.weighted(sources).draw(rng);
    const focus = forced ?? rng.weighted(TECHNIQUES);
    // A quarter of sessions sweep every technique, like a DAST scan; the rest dig into one.
    const sweep = forced === undefined && rng.chance(0.25);
    const tool: Tool =
      focus === 'sqli' && !sweep && rng.chance(0.5)
        ? 'sqlmap'
        : sweep
          ? 'nuclei'
          : rng.pick(['script', 'browser'] as const);
    const userAgent =
      tool === 'sqlmap'
        ? TOOL_AGENTS.sqlmap
        : tool === 'nuclei'
          ? rng.chance(0.5)
            ? TOOL_AGENTS.nuclei
            : rng.pick(browsers)
          : tool === 'browser'
            ? rng.pick(browsers)
            : rng.pick(scripts);
    const style: QueryStyle = tool === 'browser' ? 'form' : 'tool';
    const protocol = tool === 'browser' ? 'HTTP/2.0' : 'HTTP/1.1';
    const attempts = forced !== undefined ? 8 : tool === 'sqlmap' ? rng.int(20, 80) : rng.int(3, 25);
    const gapMs = tool === 'browser' ? 6_000 : tool === 'sqlmap' ? 300 : 700;
    const labels = new Map<InjectionCategory, DemoLabel>();
    const labelFor = (category: InjectionCategory): DemoLabel => {
      let label = labels.get(category);
      if (!label) labels.set(category, (label = makeLabel('injection', ip, category)));
      return label;
    };
    let point = rng.pick(INJECTION_POINTS[focus]);
    let time = start;
    const hit = (
      target: string,
      status: number,
      bytes: number,
      label: DemoLabel,
      agent = userAgent,
    ): Hit => ({
      time,
      method: 'GET',
      target,
      protocol,
      status,
      bytes,
      referer: '-',
      userAgent: agent,
      label,
    });

    if (rng.chance(0.5)) {
      // The harmless request the attacker starts from.
      yield hit(
        `${point[0]}?${point[1]}=${encodeQueryValue(point[2], style)}`,
        200,
        rng.int(2_000, 42_000),
        makeLabel('injection', ip),
      );
      time += rng.exponential(gapMs) + 50;
    }
    for (let i = 0; i < attempts; i++) {
      const category = sweep ? rng.weighted(TECHNIQUES) : focus;
      if (sweep) point = rng.pick(INJECTION_POINTS[category]);
      const payload = rng.pick(PAYLOADS[category]);
      const [status, bytes] = answer(rng, category);
      if (category === 'log4shell' && rng.chance(0.4)) {
        // JNDI strings are logged wherever they land; the user agent is the classic carrier.
        const target = `${point[0]}?${point[1]}=${encodeQueryValue(point[2], style)}`;
        yield hit(target, status, bytes, labelFor(category), escapeLogValue(payload));
      } else {
        const encoded = encodeQueryValue(payload, hasPercentEscape(payload) ? 'tool' : style);
        yield hit(escapeLogValue(`${point[0]}?${point[1]}=${encoded}`), status, bytes, labelFor(category));
      }
      time += rng.exponential(gapMs) + 20;
    }
  }

  return {
    actor: 'injection',
    meanLines: 18.5,
    session: (start) => session(start),
    opening: (start) => session(start, 'sqli'),
  };
}
