/**
 * YAML for `rampart config`: the effective configuration is plain data (mappings, lists, strings,
 * numbers, booleans, null), and printing it does not need the `yaml` package, which took about
 * 30-40 ms of a 0.3 s `config` start to load. Block style, two-space indent, as `yaml` printed it.
 * A string is written plain only when it is unambiguously a string in YAML 1.2 and 1.1 readers alike;
 * anything else is written double-quoted through JSON.stringify (a JSON string is a valid YAML
 * double-quoted scalar), so the output always reads back as the same data.
 */

type Plain = null | undefined | boolean | number | string | readonly Plain[] | { readonly [key: string]: Plain };

/** Plain scalars a reader could take for something other than a string (bool, null, number forms). */
const RESERVED = /^(?:~|null|true|false|yes|no|on|off|y|n|\.nan|[-+]?\.inf)$/i;
/** Numbers in YAML 1.2 or 1.1 (decimal, exponent, hex/octal/binary, sexagesimal) and 1.1 dates. */
const NUMBER_LIKE = [
  /^[-+]?(?=\.?[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?0[xob][0-9a-f_]+$/i,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];
/** Characters a plain scalar may hold here; a conservative subset of YAML's plain-safe set. */
const SAFE = /^[A-Za-z0-9_./+-][A-Za-z0-9_./@*+ :,=()-]*$/;

export function yamlScalar(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  return plainSafe(value) ? value : JSON.stringify(value);
}

function plainSafe(s: string): boolean {
  return (
    SAFE.test(s) &&
    !RESERVED.test(s) &&
    !NUMBER_LIKE.some((re) => re.test(s)) &&
    !s.endsWith(' ') &&
    !s.endsWith(':') &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    // "- x" at the start would read as a list item.
    !/^[-?:]( |$)/.test(s)
  );
}

/** The document for plain data (the configuration, a JSON-like value); ends with a newline. */
export function toYaml(data: unknown): string {
  const value = data as Plain;
  if (isMap(value)) return Object.keys(value).length === 0 ? '{}\n' : mapLines(value, '');
  if (Array.isArray(value)) return value.length === 0 ? '[]\n' : listLines(value, '');
  return yamlScalar(value as string | number | boolean | null | undefined) + '\n';
}

function isMap(v: Plain): v is { readonly [key: string]: Plain } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mapLines(map: { readonly [key: string]: Plain }, indent: string): string {
  let out = '';
  for (const [key, v] of Object.entries(map)) {
    if (v === undefined) continue;
    out += `${indent}${yamlScalar(key)}:${valueAfterKey(v, indent)}`;
  }
  return out;
}

/** What follows `key:`: an inline scalar or empty collection, or a newline and the nested block. */
function valueAfterKey(v: Plain, indent: string): string {
  if (isMap(v)) return Object.keys(v).length === 0 ? ' {}\n' : '\n' + mapLines(v, indent + '  ');
  if (Array.isArray(v)) return v.length === 0 ? ' []\n' : '\n' + listLines(v, indent + '  ');
  return ` ${yamlScalar(v as string | number | boolean | null | undefined)}\n`;
}

function listLines(list: readonly Plain[], indent: string): string {
  let out = '';
  for (const item of list) {
    const block = isMap(item) ? mapLines(item, indent + '  ') : '';
    // The first key shares the dash's line; the rest line up under it.
    if (block !== '') out += `${indent}- ${block.slice(indent.length + 2)}`;
    else if (Array.isArray(item) && item.length > 0) {
      out += `${indent}-\n${listLines(item, indent + '  ')}`;
    } else if (isMap(item)) out += `${indent}- {}\n`;
    else if (Array.isArray(item)) out += `${indent}- []\n`;
    else out += `${indent}- ${yamlScalar(item as string | number | boolean | null | undefined)}\n`;
  }
  return out;
}
