/**
 * What each nginx log variable means to Rampart. A format may log several variables that feed one
 * field ($request_uri and $uri, $host and $http_host); the better source wins and the others are skipped.
 */

export const Field = {
  Skip: 0,
  RemoteAddr: 1,
  TimeLocal: 2,
  TimeIso: 3,
  Msec: 4,
  Request: 5,
  Method: 6,
  RequestUri: 7,
  Uri: 8,
  Args: 9,
  Protocol: 10,
  Status: 11,
  BodyBytes: 12,
  BytesSent: 13,
  Referer: 14,
  UserAgent: 15,
  RequestTime: 16,
  XForwardedFor: 17,
  Host: 18,
  HttpHost: 19,
  ServerName: 20,
  Ja4: 21,
  Ja4h: 22,
  Header: 23,
} as const;
export type Field = (typeof Field)[keyof typeof Field];

const BY_NAME: Readonly<Record<string, Field>> = {
  remote_addr: Field.RemoteAddr,
  time_local: Field.TimeLocal,
  time_iso8601: Field.TimeIso,
  msec: Field.Msec,
  request: Field.Request,
  request_method: Field.Method,
  request_uri: Field.RequestUri,
  uri: Field.Uri,
  document_uri: Field.Uri,
  args: Field.Args,
  query_string: Field.Args,
  server_protocol: Field.Protocol,
  status: Field.Status,
  body_bytes_sent: Field.BodyBytes,
  bytes_sent: Field.BytesSent,
  http_referer: Field.Referer,
  http_user_agent: Field.UserAgent,
  request_time: Field.RequestTime,
  http_x_forwarded_for: Field.XForwardedFor,
  host: Field.Host,
  http_host: Field.HttpHost,
  server_name: Field.ServerName,
};

/** The field a variable feeds, before priorities are applied. */
export function fieldOf(name: string): Field {
  const n = name.toLowerCase();
  const known = Object.hasOwn(BY_NAME, n) ? BY_NAME[n] : undefined;
  if (known !== undefined) return known;
  if (n.includes('ja4')) return n.includes('ja4h') ? Field.Ja4h : Field.Ja4;
  if (n.startsWith('http_') && n.length > 5) return Field.Header;
  return Field.Skip;
}

/** Header name for a $http_* variable: `http_x_real_ip` → `x-real-ip`. */
export function headerName(variable: string): string {
  return variable.slice(5).toLowerCase().replaceAll('_', '-');
}

/** Groups of fields where only the first one present in a format is used. */
const PREFERENCES: readonly (readonly Field[])[] = [
  [Field.TimeLocal, Field.TimeIso, Field.Msec],
  [Field.RequestUri, Field.Uri],
  [Field.BodyBytes, Field.BytesSent],
  [Field.Host, Field.HttpHost, Field.ServerName],
];

/**
 * Resolves priorities: returns the fields with losers (and repeats of a variable already used) turned
 * into Field.Skip. Headers may repeat under different names.
 */
export function resolveFields(fields: readonly Field[], names: readonly string[]): Field[] {
  const present = new Set(fields);
  const used = new Set<Field | string>();
  return fields.map((f, i) => {
    if (f === Field.Skip) return f;
    const key: Field | string = f === Field.Header ? `h:${names[i]!.toLowerCase()}` : f;
    if (used.has(key)) return Field.Skip;
    for (const group of PREFERENCES) {
      const at = group.indexOf(f);
      if (at > 0 && group.slice(0, at).some((better) => present.has(better))) return Field.Skip;
    }
    used.add(key);
    return f;
  });
}

/** Fields whose values never contain spaces, so an unquoted last variable ends at the first space. */
export function isSpaceFree(f: Field): boolean {
  return (
    f === Field.RemoteAddr ||
    f === Field.Status ||
    f === Field.BodyBytes ||
    f === Field.BytesSent ||
    f === Field.RequestTime ||
    f === Field.Msec
  );
}
