/** Layering of plain config objects: later layers win key by key; arrays are replaced, not merged. */
export type Layer = Record<string, unknown>;

function isPlainObject(v: unknown): v is Layer {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeLayers(...layers: Layer[]): Layer {
  const out: Layer = {};
  for (const layer of layers) mergeInto(out, layer);
  return out;
}

function mergeInto(target: Layer, source: Layer): void {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    const existing = target[k];
    if (isPlainObject(v) && isPlainObject(existing)) mergeInto(existing, v);
    else target[k] = isPlainObject(v) ? mergeLayers(v) : v;
  }
}

/** Sets `a.b.c` in a nested object, creating the intermediate objects. */
export function setPath(target: Layer, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isPlainObject(next)) node[part] = {};
    node = node[part] as Layer;
  }
  node[parts[parts.length - 1]!] = value;
}

/** The value at `a.b.c`, or undefined. */
export function getPath(source: Layer, dotted: string): unknown {
  let node: unknown = source;
  for (const part of dotted.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[part];
  }
  return node;
}
