/**
 * API fuzzer: reads the served OpenAPI document and makes malformed requests for every operation and
 * parameter (wrong types, out of range, Infinity/NaN/1e309, 10 KB strings, SQL fragments, unicode, NUL,
 * invalid percent-encoding, duplicates, unknown parameters; bad bodies and content types for POST routes;
 * wrong methods), plus edge values that are valid (the bounds themselves) so the store sees them too.
 * Deterministic for a seed. Requests go over a raw socket, so a URL can carry bytes an HTTP client would
 * refuse to send. Test support only (excluded from the build).
 */
import { connect } from 'node:net';

export interface FuzzRequest {
  method: string;
  /** The request target exactly as written on the wire. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What was malformed, for the report. */
  what: string;
}

export interface FuzzResponse {
  status: number;
  ms: number;
  headers: Record<string, string>;
  body: string;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string | string[]; minimum?: number; maximum?: number; enum?: unknown[]; maxLength?: number; default?: unknown };
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, unknown> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** Deterministic 32-bit PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEN_KB = 10 * 1024;

/** Hostile values as written on the wire (already percent-encoded where meant; invalid where meant). */
const HOSTILE: readonly string[] = [
  // wrong types and number forms
  'abc', 'true', 'null', '[]', '{}', '1.5', '-1', '-0', '+1', '0x10', '1e3', '%201', '1%20', '01', '1_000',
  'Infinity', '-Infinity', '1e309', '-1e309', 'NaN', '9007199254740993', '99999999999999999999',
  // times
  '999999w', '999999d', '-1d', '0', '1', '100000000000', '999999999999999', '0000-01-01', '1969-12-31',
  '2024-02-30', '9999-12-31T23:59:59.999-01:00', '%2B275760-09-13T00:00:00Z', '1970-01-01T00:00:00%2B00:01',
  '2024-05-01T25:61:61Z', 'now%00', 'yesterday',
  // SQL and pattern fragments
  "1'%20OR%20'1'='1", '1;DROP%20TABLE%20threats--', "'%20UNION%20SELECT%20NULL--", '%27', '%22', '$1', '%5C',
  '%25', '_', '%25_%25', '*', '..%2F..%2Fetc%2Fpasswd', '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  // unicode, control characters, invalid UTF-8
  '%C3%A9', '%F0%9F%92%A9', '%E2%80%AE', '%EF%BF%BF', '%ED%A0%80', '%C0%AE', '%FF', '%FE%FF', '%00', 'a%00b',
  '%0A', '%0D%0A', '%1B%5B31m', '%7F', '%E2%80%8B',
  // invalid percent-encoding
  '%', '%G1', '%2', '%%', '%u0041', '%%32%30',
  // empty and long
  '', '%20', ',', ',,,', 'a'.repeat(TEN_KB), '%41'.repeat(TEN_KB / 3), '1'.repeat(TEN_KB), `${'high,'.repeat(2000)}high`,
];

const UNKNOWN_PARAMS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x', 'limit%00', '%FF', 'a'.repeat(1000)];

/** Wire form of a value: spaces, `#` and bytes outside printable ASCII percent-encoded; `%` kept as given. */
function wire(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === ' ' || ch === '#' || code < 0x21 || code > 0x7e) out += encodeURIComponent(ch);
    else out += ch;
  }
  return out;
}

/** Values at and around a parameter's own bounds, from its schema in the document. */
function edgeValues(p: OpenApiParameter): string[] {
  const s = p.schema ?? {};
  const out: string[] = [];
  if (typeof s.minimum === 'number') out.push(String(s.minimum), String(s.minimum - 1));
  if (typeof s.maximum === 'number') out.push(String(s.maximum), String(s.maximum + 1), String(s.maximum * 10));
  if (Array.isArray(s.enum)) {
    for (const v of s.enum) out.push(String(v), String(v).toUpperCase(), ` ${String(v)}`);
    out.push(s.enum.map(String).join(','));
  }
  if (typeof s.maxLength === 'number') out.push('a'.repeat(s.maxLength), 'a'.repeat(s.maxLength + 1));
  // Valid extremes of time parameters: these reach the store.
  if (p.name === 'since' || p.name === 'until') {
    out.push('1970-01-01', '9999-12-31T23:59:59.999Z', '999999s', 'now', '2000w', String(Date.UTC(9999, 11, 31)));
  }
  return out;
}

function validValue(p: OpenApiParameter, examples: Record<string, string>): string | undefined {
  if (examples[p.name] !== undefined) return examples[p.name];
  const s = p.schema ?? {};
  if (s.default !== undefined) return String(s.default);
  if (Array.isArray(s.enum)) return String(s.enum[0]);
  if (typeof s.minimum === 'number') return String(s.minimum);
  return undefined;
}

interface Operation {
  method: string;
  path: string;
  params: OpenApiParameter[];
  hasBody: boolean;
}

function operations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      out.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], hasBody: op.requestBody !== undefined });
    }
  }
  return out;
}

function buildTarget(op: Operation, values: Map<string, string[]>, examples: Record<string, string>, extra: string[] = []): string {
  let path = op.path;
  const query: string[] = [];
  for (const p of op.params) {
    const given = values.get(p.name);
    if (p.in === 'path') {
      const v = given?.[0] ?? validValue(p, examples) ?? 'x';
      path = path.replace(`{${p.name}}`, given ? v : encodeURIComponent(v));
    } else if (given) {
      for (const v of given) query.push(`${wire(p.name)}=${v}`);
    }
  }
  query.push(...extra);
  return query.length > 0 ? `${path}?${query.join('&')}` : path;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function bodyCases(): { headers: Record<string, string>; body: string; what: string }[] {
  const many = JSON.stringify({ iocs: Array.from({ length: 101 }, (_, i) => `10.0.${i}.1`) });
  const cases: [Record<string, string>, string, string][] = [
    [JSON_HEADERS, '{', 'truncated JSON'],
    [JSON_HEADERS, '', 'empty JSON body'],
    [JSON_HEADERS, 'null', 'null'],
    [JSON_HEADERS, '[]', 'array'],
    [JSON_HEADERS, '"x"', 'string'],
    [JSON_HEADERS, '1e309', 'number 1e309'],
    [JSON_HEADERS, '{"iocs":null}', 'iocs null'],
    [JSON_HEADERS, '{"iocs":"8.8.8.8"}', 'iocs string'],
    [JSON_HEADERS, '{"iocs":[]}', 'iocs empty'],
    [JSON_HEADERS, '{"iocs":[null]}', 'iocs [null]'],
    [JSON_HEADERS, '{"iocs":[{}]}', 'iocs [{}]'],
    [JSON_HEADERS, '{"iocs":[1e309]}', 'iocs [1e309]'],
    [JSON_HEADERS, `{"iocs":["${'a'.repeat(TEN_KB)}"]}`, 'iocs 10 KB string'],
    [JSON_HEADERS, '{"iocs":["\\u0000","\\ud800","%00","1\' OR \'1\'=\'1","8.8.8.8"]}', 'iocs NUL, lone surrogate, SQL'],
    [JSON_HEADERS, many, 'iocs 101 items'],
    [JSON_HEADERS, '{"iocs":["8.8.8.8"],"extra":1}', 'unknown field'],
    [JSON_HEADERS, '{"__proto__":{"polluted":1},"iocs":["8.8.8.8"]}', '__proto__'],
    [JSON_HEADERS, '{"constructor":{"prototype":{"polluted":1}},"iocs":["8.8.8.8"]}', 'constructor.prototype'],
    [JSON_HEADERS, '[' .repeat(5000) + ']'.repeat(5000), 'nested 5000 deep'],
    [JSON_HEADERS, `{"iocs":["${'x'.repeat(200 * 1024)}"]}`, 'body over the limit'],
    [JSON_HEADERS, '\xff\xfe{', 'invalid UTF-8'],
    [{ 'content-type': 'application/json; charset=utf-16' }, '{"iocs":["8.8.8.8"]}', 'charset utf-16'],
    [{ 'content-type': 'text/plain' }, '8.8.8.8', 'text/plain'],
    [{ 'content-type': 'application/x-www-form-urlencoded' }, 'iocs=8.8.8.8', 'form'],
    [{ 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n--x--', 'multipart'],
    [{ 'content-type': 'application/xml' }, '<iocs/>', 'xml'],
    [{ 'content-type': '' }, '{}', 'empty content type'],
    [{ 'content-type': 'application/json'.repeat(100) }, '{}', 'long content type'],
    [{}, '{"iocs":["8.8.8.8"]}', 'no content type'],
  ];
  return cases.map(([headers, body, what]) => ({ headers, body, what }));
}

/**
 * `count` requests for the operations in `doc`: every systematic case (each parameter × each hostile and
 * edge value, duplicates, unknown parameters, bodies, wrong methods) and then random combinations, in a
 * seeded order. `examples` gives valid values for path parameters (`{ id: '…', ip: '203.0.113.7' }`).
 */
export function generateRequests(doc: OpenApiDocument, count: number, seed: number, examples: Record<string, string>): FuzzRequest[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const ops = operations(doc);
  const systematic: FuzzRequest[] = [];
  const get = (op: Operation, values: Map<string, string[]>, what: string, extra?: string[]): FuzzRequest => ({
    method: op.method,
    target: buildTarget(op, values, examples, extra),
    headers: op.hasBody ? { ...JSON_HEADERS } : {},
    ...(op.hasBody ? { body: Buffer.from('{"iocs":["8.8.8.8"]}') } : {}),
    what: `${op.method} ${op.path}: ${what}`,
  });

  for (const op of ops) {
    for (const p of op.params) {
      for (const v of [...HOSTILE.map((h) => h), ...edgeValues(p).map(wire)]) {
        systematic.push(get(op, new Map([[p.name, [v]]]), `${p.name}=${v.slice(0, 40)}`));
      }
      if (p.in === 'query') {
        const ok = validValue(p, examples) ?? '1';
        systematic.push(get(op, new Map([[p.name, [ok, ok]]]), `${p.name} twice`));
        systematic.push(get(op, new Map([[p.name, [ok, 'Infinity']]]), `${p.name} twice, one bad`));
        systematic.push(get(op, new Map(), `${p.name}[]`, [`${p.name}[]=${ok}`]));
        systematic.push(get(op, new Map(), `${p.name}[a]`, [`${p.name}[a]=${ok}`]));
        systematic.push(get(op, new Map(), `${p.name} bare`, [p.name]));
        systematic.push(get(op, new Map(), `${p.name} 200 times`, Array.from({ length: 200 }, () => `${p.name}=${ok}`)));
      }
    }
    for (const u of UNKNOWN_PARAMS) systematic.push(get(op, new Map(), `unknown ${u.slice(0, 20)}`, [`${u}=1`]));
    systematic.push(get(op, new Map(), 'raw query ?&&=&', ['&&=&']));
    systematic.push(get(op, new Map(), '1000 parameters', Array.from({ length: 1000 }, (_, i) => `p${i}=1`)));
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', op.method === 'GET' ? 'POST' : 'GET']) {
      systematic.push({ ...get(op, new Map(), `method ${method}`), method, what: `${method} ${op.path}: wrong method` });
    }
    if (op.hasBody) {
      for (const b of bodyCases()) {
        systematic.push({ method: op.method, target: buildTarget(op, new Map(), examples), headers: b.headers, body: Buffer.from(b.body, 'latin1'), what: `${op.method} ${op.path}: body ${b.what}` });
      }
    }
  }
  // Bytes no client library would send, and hostile headers.
  const first = ops[0];
  if (first) {
    for (const raw of ['/api/threats?ip=\u00e9', '/api/threats?path=a\u0000b', '/api/threats?path=a\tb', '/api/%ZZ', '/api/threats/%', '//api//threats', '/api/threats/..%2F..%2F', '*']) {
      systematic.push({ method: 'GET', target: raw, headers: {}, what: `raw target ${JSON.stringify(raw)}` });
    }
    systematic.push({ method: 'GET', target: '/api/threats', headers: { host: 'evil.example' }, what: 'Host evil.example' });
    systematic.push({ method: 'GET', target: '/api/threats', headers: { 'x-request-id': 'x'.repeat(1000) }, what: 'long request id' });
  }

  // Random combinations: several parameters wrong at once, or mixed with edge values.
  const out = systematic.slice();
  while (out.length < count) {
    const op = pick(ops);
    const values = new Map<string, string[]>();
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n && op.params.length > 0; i++) {
      const p = pick(op.params);
      const pool = rand() < 0.5 ? HOSTILE : edgeValues(p).map(wire);
      if (pool.length > 0) values.set(p.name, [pick(pool)]);
    }
    out.push(get(op, values, `combination ${[...values].map(([k, v]) => `${k}=${(v[0] ?? '').slice(0, 20)}`).join('&')}`));
  }
  // Seeded shuffle, then the first `count`: a smaller run is a fair sample of the same cases.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as FuzzRequest, out[i] as FuzzRequest];
  }
  return out.slice(0, count);
}

/** One request on its own connection; the time runs from connect to the last byte of the response. */
export function sendRaw(port: number, req: FuzzRequest, timeoutMs = 5_000): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response within ${timeoutMs} ms: ${req.what}`));
    }, timeoutMs);
    socket.on('connect', () => {
      const headers: Record<string, string> = { host: `127.0.0.1:${port}`, connection: 'close', ...req.headers };
      if (req.body) headers['content-length'] = String(req.body.length);
      let head = `${req.method} ${req.target} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
      socket.write(Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), req.body ?? Buffer.alloc(0)]));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may answer and close before it has read the whole body (413): that is an answer too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const raw = Buffer.concat(chunks).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of raw.slice(0, end < 0 ? raw.length : end).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = end < 0 ? '' : Buffer.from(raw.slice(end + 4), 'latin1').toString('utf8');
      resolve({ status, ms, headers, body });
    });
  });
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  maxMs: number;
  p99Ms: number;
  /** 5xx, no answer, slower than the limit, or a 4xx whose body is not the API's error shape. */
  failures: { what: string; target: string; status: number; ms: number; body: string }[];
}

/** Sends every request in turn (one at a time, so each time is the request's own). */
export async function runFuzz(port: number, requests: readonly FuzzRequest[], slowMs = 1_000): Promise<FuzzReport> {
  const byStatus: Record<string, number> = {};
  const times: number[] = [];
  const failures: FuzzReport['failures'] = [];
  for (const req of requests) {
    let res: FuzzResponse;
    try {
      res = await sendRaw(port, req);
    } catch (err) {
      failures.push({ what: req.what, target: req.target.slice(0, 200), status: 0, ms: NaN, body: String(err) });
      continue;
    }
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    times.push(res.ms);
    const problem =
      res.status === 0 || res.status >= 500 || res.ms > slowMs || (res.status >= 400 && req.method !== 'HEAD' && !isErrorBody(res.body, req.target.startsWith('/v1/')));
    if (problem) failures.push({ what: req.what, target: req.target.slice(0, 200), status: res.status, ms: Math.round(res.ms), body: res.body.slice(0, 300) });
  }
  times.sort((a, b) => a - b);
  return {
    requests: requests.length,
    byStatus,
    maxMs: Math.round(times[times.length - 1] ?? 0),
    p99Ms: Math.round(times[Math.floor(times.length * 0.99)] ?? 0),
    failures,
  };
}

/** The API's error shape; on the CrowdSec bouncer routes (/v1), CrowdSec's own (`{"message": …}`). */
function isErrorBody(body: string, crowdsec = false): boolean {
  try {
    const v = JSON.parse(body) as unknown;
    if (typeof v !== 'object' || v === null || typeof (v as { message?: unknown }).message !== 'string') return false;
    return crowdsec || typeof (v as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}
